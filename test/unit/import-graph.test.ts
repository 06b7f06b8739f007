import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../integration/helpers.js';

/**
 * The layers of src/, and what each may import. Data flows one way, top-down:
 * launch → cli → commands → report (presentation of results) → pipeline → (claude, state, config, billing)
 * → usage, format (the formatting primitives every layer may use: counts, costs, durations, the footer).
 */
const ALLOWED: Record<string, string[]> = {
  'launch.ts': ['compile-cache.ts', 'claude'],
  'compile-cache.ts': [],
  'cli.ts': ['zod-jitless.ts', 'program.ts', 'errors'],
  'zod-jitless.ts': [],
  'program.ts': ['commands', 'package-version.ts'],
  'package-version.ts': [],
  'schemas.ts': ['config', 'state', 'report', 'usage', 'declare', 'billing', 'pipeline'],
  commands: ['report', 'pipeline', 'billing', 'config', 'state', 'claude', 'usage', 'format', 'errors', 'declare', 'telemetry'],
  telemetry: ['pipeline', 'config', 'usage', 'format', 'errors'],
  report: ['pipeline', 'billing', 'state', 'usage', 'format', 'declare'],
  pipeline: ['claude', 'state', 'config', 'billing', 'usage', 'format', 'errors', 'declare'],
  billing: ['state', 'config', 'usage', 'format', 'errors', 'declare', 'package-version.ts'],
  claude: ['usage', 'format', 'errors', 'declare'],
  config: ['usage', 'errors', 'declare'],
  state: ['usage', 'errors', 'declare'],
  usage: ['declare'],
  format: ['usage'],
  declare: [],
  errors: [],
};

const SRC = path.join(REPO, 'src');

/** `commands` for src/commands/run.ts, `cli.ts` for src/cli.ts. */
function layerOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!;
}

/** Every relative module a file imports: static, type-only, re-exported and dynamic. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)['"](\.[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
}

describe('the import graph of src/ follows the layers', () => {
  const files = sourceFilesOf(SRC);

  it('knows the layer of every file', () => {
    expect(files.map(layerOf).filter((layer) => !(layer in ALLOWED))).toEqual([]);
  });

  it('has no import against the flow', () => {
    const violations = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => layerOf(target) !== layerOf(file) && !ALLOWED[layerOf(file)]!.includes(layerOf(target)))
        .map((target) => `${path.relative(SRC, file)} → ${path.relative(SRC, target)}`),
    );
    expect(violations).toEqual([]);
  });

  it('finds imports of every form (so the check above cannot pass by missing them)', () => {
    const imports = importsOf(path.join(SRC, 'program.ts')).map((target) => path.relative(SRC, target));
    expect(imports).toEqual(expect.arrayContaining([path.join('commands', 'run.ts')]));
  });
});

describe('names in src/ say one thing each', () => {
  const files = sourceFilesOf(SRC);

  it('no two files export the same name', () => {
    const owners = new Map<string, string[]>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(
        /^export\s+(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm,
      )) {
        owners.set(match[1]!, [...(owners.get(match[1]!) ?? []), path.relative(SRC, file)]);
      }
    }
    expect([...owners].filter(([, where]) => where.length > 1).map(([name, where]) => `${name}: ${where.join(', ')}`)).toEqual([]);
  });
});

describe('the code explains itself from inside the repository', () => {
  const roots = ['src', 'test', 'bench', 'scripts'].map((dir) => path.join(REPO, dir));
  const files = roots.flatMap((root) => sourceFilesOf(root));

  it('no comment points to a document or an issue outside it', () => {
    const outside = /\bDESIGN\b|§\s*\d|\bissue P\d\b|\(P\d\)/;
    const hits = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => outside.test(line) && !line.includes('outside = /'))
        .map(({ index }) => `${path.relative(REPO, file)}:${index + 1}`),
    );
    expect(hits).toEqual([]);
  });
});

/** The code files below `dir` (generated bench data left out). */
function sourceFilesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (name === 'data') return [];
    return statSync(file).isDirectory() ? sourceFilesOf(file) : /\.(ts|mjs|js)$/.test(name) ? [file] : [];
  });
}
