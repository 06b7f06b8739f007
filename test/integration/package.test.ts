import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { REPO } from './helpers.js';

/**
 * What `npm pack` puts in the tarball that the examples install (`npm install -g <tarball>`):
 * the package under its own name, the `claude-project` command, and every file the built CLI
 * reads at run time. Read from npm's own file list (`npm pack --dry-run --json`) of the build.
 */

interface PackResult {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}

async function pack(): Promise<PackResult> {
  const { NODE_OPTIONS: _, ...env } = process.env;
  const run = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, env, extendEnv: false });
  return (JSON.parse(run.stdout) as PackResult[])[0]!;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(REPO, dir), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(REPO, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

describe('npm pack', () => {
  let packed: PackResult;
  let files: string[];
  beforeAll(async () => {
    packed = await pack();
    files = packed.files.map((f) => f.path);
  }, 120_000);

  it('packs claude-project-runner (the registry name "claude-project" is another program), whose command is claude-project', async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      bin: Record<string, string>;
    };
    expect(packed.name).toBe('claude-project-runner');
    expect(pkg.name).toBe(packed.name);
    expect(packed.filename).toBe(`claude-project-runner-${pkg.version}.tgz`);
    expect(Object.keys(pkg.bin)).toEqual(['claude-project']);
    expect(files).toContain(pkg.bin['claude-project']);
  });

  it('holds every built file and the JSON Schemas, and no source or test', async () => {
    const built = await filesUnder('dist');
    expect(built).toContain('dist/cli.js');
    expect(files).toEqual(expect.arrayContaining([...built, ...(await filesUnder('schema')), 'package.json']));
    expect(files.filter((f) => /^(src|test|bench|scripts|examples)\//.test(f))).toEqual([]);
  });

  it('holds every file the built code opens beside itself (new URL(..., import.meta.url))', async () => {
    const opened: string[] = [];
    for (const file of (await filesUnder('dist')).filter((f) => f.endsWith('.js'))) {
      const text = await readFile(path.join(REPO, file), 'utf8');
      for (const match of text.matchAll(/new URL\(['"]([^'"]+)['"],\s*import\.meta\.url\)/g)) {
        opened.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1]!)));
      }
    }
    expect(opened).toEqual(expect.arrayContaining(['package.json']));
    expect(opened.filter((f) => !files.includes(f))).toEqual([]);
  });
});
