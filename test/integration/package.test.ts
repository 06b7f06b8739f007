import { mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { SUITE_COMPILE_CACHE } from '../support/suite-compile-cache.js';
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

  it('holds the bundle (the bin and the CLI it runs) and the JSON Schemas, and no source, test or unbundled build', async () => {
    const bundle = await filesUnder('dist/bundle');
    expect(bundle).toEqual(expect.arrayContaining(['dist/bundle/cli.js', 'dist/bundle/claude-project.cjs']));
    expect(files).toEqual(expect.arrayContaining([...bundle, ...(await filesUnder('schema')), 'package.json']));
    expect(
      files.filter((f) => /^(src|test|bench|scripts|examples)\//.test(f) || (f.startsWith('dist/') && !f.startsWith('dist/bundle/'))),
    ).toEqual([]);
  });

  it('holds no file of an earlier build: every file of the bundle is the bin or a file it loads', async () => {
    const bundle = new Set(await filesUnder('dist/bundle'));
    const loaded = new Set<string>();
    const next = ['dist/bundle/cli.js'];
    for (let file = next.pop(); file !== undefined; file = next.pop()) {
      if (loaded.has(file)) continue;
      loaded.add(file);
      const text = await readFile(path.join(REPO, file), 'utf8');
      for (const [, name] of text.matchAll(/(?:from |import\(|new URL\()"\.\/([\w.-]+\.c?js)"/g)) next.push(`dist/bundle/${name}`);
    }
    expect([...bundle].filter((f) => !loaded.has(f))).toEqual([]);
  });

  it("keeps every Anthropic price of the price database: the bundle's prices are the unbundled build's, which reads the package whole", async () => {
    const { NODE_OPTIONS: _, ...inherited } = process.env;
    const env = { ...inherited, CLAUDE_PROJECT_COMPILE_CACHE: SUITE_COMPILE_CACHE };
    const prices = async (cli: string) => {
      const run = await execa(process.execPath, [path.join(REPO, 'dist', cli), 'prices', '--json'], {
        cwd: os.tmpdir(),
        env,
        extendEnv: false,
      });
      return JSON.parse(run.stdout) as { database: string; models: Array<{ model: string }> };
    };
    const [bundled, unbundled] = await Promise.all([prices('bundle/cli.js'), prices('cli.js')]);
    expect(unbundled.models.length).toBeGreaterThan(10);
    expect(bundled).toEqual(unbundled);
    // and the bundle holds no other provider's
    const chunks = await filesUnder('dist/bundle');
    const texts = await Promise.all(chunks.map((file) => readFile(path.join(REPO, file), 'utf8')));
    expect(texts.filter((text) => text.includes('"openai"') || text.includes('id: "openai"'))).toEqual([]);
  });

  it('runs from the unpacked tarball: --version is the package version, and a command runs', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'claude-project-pack-'));
    try {
      const { NODE_OPTIONS: _, ...inherited } = process.env;
      const env = { ...inherited, CLAUDE_PROJECT_COMPILE_CACHE: SUITE_COMPILE_CACHE };
      const run = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
        cwd: REPO,
        env,
        extendEnv: false,
      });
      const tarball = path.join(dir, (JSON.parse(run.stdout) as PackResult[])[0]!.filename);
      await execa('tar', ['-xzf', tarball, '-C', dir]);
      // the dependencies, as npm would install them beside the package
      await symlink(path.join(REPO, 'node_modules'), path.join(dir, 'package', 'node_modules'));
      const pkg = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
      const bin = path.join(dir, 'package', pkg.bin['claude-project']!);
      const version = await execa(process.execPath, [bin, '--version'], { env, extendEnv: false });
      expect(version.stdout).toBe(pkg.version);
      const prices = await execa(process.execPath, [bin, 'prices', 'claude-sonnet-4-5', '--json'], {
        cwd: dir,
        env,
        extendEnv: false,
        reject: false,
      });
      expect({ exitCode: prices.exitCode, stderr: prices.stderr }).toEqual({ exitCode: 0, stderr: '' });
      expect(prices.stdout).toContain('claude-sonnet-4-5');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
