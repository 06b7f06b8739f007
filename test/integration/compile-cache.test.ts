/**
 * The bundle's code cache (src/compile-cache.ts), through the built bin: a command that succeeded
 * writes its cache, the next start uses it (a cache V8 accepts is left as it is, one it rejects is
 * written again), a run that compiled more code writes it again, and nothing else about a command
 * changes: the same output, the same exit code, nothing on stderr, wherever the cache cannot be.
 */
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../support/temp-dirs.js';
import { Project, answeringAttempt, cleanup, config } from './helpers.js';

afterAll(cleanup);

async function project(): Promise<Project> {
  return Project.create({
    config: config([{ name: 'work', prompt: 'Work' }]),
    tasks: { 'tasks/t.md': 'T\n' },
    scenario: { attempts: [answeringAttempt()] },
  });
}

/** The cache files of a folder, by command: `…-status.bin` → `status`. */
async function cacheFiles(folder: string): Promise<Record<string, string>> {
  const names = (await readdir(folder).catch(() => [] as string[])).filter((name) => name.endsWith('.bin'));
  return Object.fromEntries(names.map((name) => [name.slice(name.lastIndexOf('-') + 1, -'.bin'.length), path.join(folder, name)]));
}

/** What tells one written file from another: a rename puts a new inode in place. */
async function identity(file: string): Promise<{ ino: number; mtimeMs: number; size: number }> {
  const { ino, mtimeMs, size } = await stat(file);
  return { ino, mtimeMs, size };
}

const output = (run: { exitCode?: number; stdout: string; stderr: string }) => ({
  exitCode: run.exitCode,
  stdout: run.stdout,
  stderr: run.stderr,
});

describe('the code cache', () => {
  it('a command that succeeded writes its own, private to the user; the next start uses it and leaves it as it is', async () => {
    const on = await project();
    const folder = path.join(await tempDir('cp-cache-'), 'cache');
    const env = { CLAUDE_PROJECT_COMPILE_CACHE: folder };
    const first = await on.run(['status'], { env });
    expect(first.exitCode).toBe(0);
    const files = await cacheFiles(folder);
    expect(Object.keys(files)).toEqual(['status']);
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect((await stat(files.status!)).mode & 0o777).toBe(0o600);
    const written = await identity(files.status!);

    const second = await on.run(['status'], { env });
    expect(output(second)).toEqual(output(first));
    // used: a cache V8 rejected would have been written again
    expect(await identity(files.status!)).toEqual(written);
    expect(await readdir(folder)).toEqual([path.basename(files.status!)]);
  });

  it('a cache V8 rejects (or a file that is none) is written again, and the command runs as without', async () => {
    const on = await project();
    const folder = await tempDir('cp-cache-');
    const env = { CLAUDE_PROJECT_COMPILE_CACHE: folder };
    const expected = output(await on.run(['status'], { env: { CLAUDE_PROJECT_COMPILE_CACHE: 'off' } }));
    await on.run(['status'], { env });
    const file = (await cacheFiles(folder)).status!;
    for (const broken of [Buffer.concat([Buffer.from('CPC1'), Buffer.alloc(4), Buffer.from('not what V8 wrote')]), Buffer.from('junk')]) {
      await writeFile(file, broken);
      expect(output(await on.run(['status'], { env }))).toEqual(expected);
      const rewritten = await readFile(file);
      expect(rewritten.subarray(0, 4).toString()).toBe('CPC1');
      expect(rewritten.length).toBeGreaterThan(10_000);
    }
  });

  it('a command that failed writes none', async () => {
    const on = await project();
    const folder = await tempDir('cp-cache-');
    const run = await on.run(['status', 'tasks/none.md'], { env: { CLAUDE_PROJECT_COMPILE_CACHE: folder } });
    expect(run.exitCode).toBe(2);
    expect(await cacheFiles(folder)).toEqual({});
  });

  it('a run that compiled notably more than its cache holds writes it again; a run like the one that wrote it does not', async () => {
    const on = await project();
    const folder = await tempDir('cp-cache-');
    const env = { CLAUDE_PROJECT_COMPILE_CACHE: folder };
    expect((await on.run(['run', 'tasks/t.md'], { env: { CLAUDE_PROJECT_COMPILE_CACHE: 'off' } })).exitCode).toBe(0);
    // the task is done: this run compiles little
    const again = await on.run(['run', 'tasks/t.md'], { env });
    expect({ exitCode: again.exitCode, said: again.stderr.includes('already done') }).toEqual({ exitCode: 0, said: true });
    const small = await identity((await cacheFiles(folder)).run!);
    // this one runs claude, its check-free step, and the state's updates
    expect((await on.run(['run', 'tasks/t.md', '--restart'], { env })).exitCode).toBe(0);
    const grown = await identity((await cacheFiles(folder)).run!);
    expect(grown.ino).not.toBe(small.ino);
    expect(grown.size).toBeGreaterThan(small.size);
    expect((await on.run(['run', 'tasks/t.md', '--restart'], { env })).exitCode).toBe(0);
    expect(await identity((await cacheFiles(folder)).run!)).toEqual(grown);
  });

  it("removes earlier builds' caches when it writes one, and nothing else", async () => {
    const on = await project();
    const folder = await tempDir('cp-cache-');
    await writeFile(path.join(folder, '0000000000000000-v20.0.0-x64-00000000-status.bin'), 'an earlier build');
    await writeFile(path.join(folder, 'notes.txt'), 'not a cache');
    await on.run(['status'], { env: { CLAUDE_PROJECT_COMPILE_CACHE: folder } });
    const names = await readdir(folder);
    expect(names).toContain('notes.txt');
    expect(names.filter((name) => name.endsWith('.bin'))).toEqual([path.basename((await cacheFiles(folder)).status!)]);
  });

  it("is in the user's cache folder unless told otherwise, and `off` keeps none", async () => {
    const on = await project();
    await on.run(['status'], { env: { CLAUDE_PROJECT_COMPILE_CACHE: undefined, XDG_CACHE_HOME: undefined } });
    expect(Object.keys(await cacheFiles(path.join(on.home, '.cache', 'claude-project', 'compile-cache')))).toEqual(['status']);

    const xdg = await tempDir('cp-xdg-');
    await on.run(['status'], { env: { CLAUDE_PROJECT_COMPILE_CACHE: undefined, XDG_CACHE_HOME: xdg } });
    expect(Object.keys(await cacheFiles(path.join(xdg, 'claude-project', 'compile-cache')))).toEqual(['status']);

    const home = await tempDir('cp-home-');
    await on.run(['status'], { env: { CLAUDE_PROJECT_COMPILE_CACHE: 'off', HOME: home } });
    expect(await readdir(home)).toEqual([]);
  });

  it('a folder others may write, or none to be had, is not used: the command runs as without, silently', async () => {
    const on = await project();
    const expected = output(await on.run(['status'], { env: { CLAUDE_PROJECT_COMPILE_CACHE: 'off' } }));
    const shared = path.join(await tempDir('cp-cache-'), 'shared');
    await mkdir(shared);
    await chmod(shared, 0o777);
    expect(output(await on.run(['status'], { env: { CLAUDE_PROJECT_COMPILE_CACHE: shared } }))).toEqual(expected);
    expect(await readdir(shared)).toEqual([]);

    const underAFile = path.join(on.dir, 'claude-project.yaml', 'cache');
    expect(output(await on.run(['status'], { env: { CLAUDE_PROJECT_COMPILE_CACHE: underAFile } }))).toEqual(expected);
  });
});
