/**
 * One task file is one task whichever way it is reached (a symlinked project folder, --config
 * through the link); hidden files are not tasks; a task file that is not UTF-8 text is refused by
 * name before anything runs; task file names up to the file system's 255 bytes run like others.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Project, SONNET, assistant, billed, cleanup, config, init, result, snapshot, type Attempt } from './helpers.js';

afterAll(cleanup);

const SLOW = { timeoutMs: 150_000 };
const LIMIT = 300_000;

const oneStep = () => config([{ name: 'work', prompt: 'DO {{taskName}}' }]);

function call(n: number): Attempt {
  return {
    lines: [
      init('sess'),
      ...assistant({ id: `msg_${n}`, model: SONNET, usage: snapshot(9), blocks: 1 }),
      result({ modelUsage: { [SONNET]: billed(n * 1_000, n * 100, 0, 0, n * 0.0045) } }),
    ],
  };
}

async function taskStateNames(project: Project): Promise<string[]> {
  return (await readdir(project.stateDir)).filter((n) => n.endsWith('.state.json') && n !== 'sequence.state.json').sort();
}

describe('one task file, one task', () => {
  it.concurrent(
    'through a symlinked project folder and --config "$PWD/claude-project.yaml" the done task is the same task: not run or billed again',
    async () => {
      const project = await Project.create({ config: oneStep(), tasks: { 't/a.md': 'A\n' }, scenario: { attempts: [call(1), call(2)] } });
      const link = path.join(project.base, 'link');
      await symlink(project.dir, link);
      const first = await project.run(['run', 't/a.md'], { ...SLOW, cwd: link });
      expect(first.exitCode).toBe(0);
      for (const args of [
        ['run', 't/a.md', '--config', path.join(link, 'claude-project.yaml')],
        ['run', path.join(link, 't', 'a.md')],
        ['sequence', path.join(link, 't'), '--config', path.join(link, 'claude-project.yaml')],
      ]) {
        const again = await project.run(args, { ...SLOW, cwd: link });
        expect({ args, exitCode: again.exitCode }).toEqual({ args, exitCode: 0 });
        expect(again.stdout).not.toContain('../');
      }
      expect(await project.calls()).toHaveLength(1);
      expect(await taskStateNames(project)).toHaveLength(1);
      const status = await project.run(
        ['status', path.join(link, 't'), '--json', '--config', path.join(link, 'claude-project.yaml')],
        SLOW,
      );
      expect(status.exitCode).toBe(0);
      expect(JSON.parse(status.stdout).tasks.map((t: { taskPath: string; phase: string }) => [t.taskPath, t.phase])).toEqual([
        ['t/a.md', 'done'],
      ]);
    },
    LIMIT,
  );
});

describe('hidden files and files that are not text', () => {
  it.concurrent(
    'a macOS metadata file ._01-a.md is not a task for sequence, status, report and recount; run of it is refused (exit 2)',
    async () => {
      const project = await Project.create({
        config: oneStep(),
        tasks: { 'tasks/01-a.md': 'A\n' },
        scenario: { attempts: [call(1), call(2)] },
      });
      await writeFile(path.join(project.dir, 'tasks', '._01-a.md'), Buffer.from([0x00, 0x05, 0x16, 0x07, 0xff, 0xfe, 0x80, 0x00]));
      await writeFile(path.join(project.dir, 'tasks', '.draft.md'), 'not yet\n');
      const run = await project.run(['sequence', 'tasks'], SLOW);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('1/1 done');
      expect((await project.calls()).map((c) => c.stdin.split('\n')[0])).toEqual(['DO 01-a']);
      expect(await taskStateNames(project)).toHaveLength(1);
      const status = await project.run(['status', 'tasks', '--json'], SLOW);
      expect(status.exitCode).toBe(0);
      expect(JSON.parse(status.stdout).tasks.map((t: { taskPath: string }) => t.taskPath)).toEqual(['tasks/01-a.md']);
      const report = await project.run(['report', 'tasks', '--html', 'report.html'], SLOW);
      expect(report.exitCode).toBe(0);
      const html = await readFile(path.join(project.dir, 'report.html'), 'utf8');
      expect(html).toContain('01-a');
      expect(html).not.toContain('._01-a');
      expect(html).not.toContain('.draft');
      const recount = await project.run(['recount', 'tasks'], SLOW);
      expect(recount.stdout).not.toContain('._01-a');
      expect(recount.exitCode).toBe(0);
      for (const args of [
        ['run', 'tasks/._01-a.md'],
        ['run', 'tasks/.draft.md'],
        ['status', 'tasks/._01-a.md'],
        ['recount', 'tasks/.draft.md'],
      ]) {
        const refused = await project.run(args, SLOW);
        expect({ args, exitCode: refused.exitCode }).toEqual({ args, exitCode: 2 });
        expect(refused.stderr).toContain(`${path.join(project.dir, args[1]!)}: a hidden file (its name starts with ".") is not a task`);
        expect(refused.stderr).not.toMatch(/unexpected error| {4}at /);
      }
      expect(await project.calls()).toHaveLength(1);
    },
    LIMIT,
  );

  it.concurrent(
    'a task file that is not UTF-8 text is refused by name (exit 2) before any task of the folder runs',
    async () => {
      const project = await Project.create({ config: oneStep(), tasks: { 'tasks/01-a.md': 'A\n' }, scenario: { attempts: [call(1)] } });
      const bad = path.join(project.dir, 'tasks', '02-latin1.md');
      await writeFile(bad, Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'));
      for (const args of [
        ['sequence', 'tasks'],
        ['run', 'tasks/02-latin1.md'],
      ]) {
        const refused = await project.run(args, SLOW);
        expect({ args, exitCode: refused.exitCode }).toEqual({ args, exitCode: 2 });
        expect(refused.stderr).toContain(`${bad}: not UTF-8 text`);
        expect(refused.stderr).not.toMatch(/unexpected error| {4}at /);
      }
      expect(await project.calls()).toHaveLength(0);
      expect(existsSync(project.stateDir) ? await taskStateNames(project) : []).toEqual([]);
    },
    LIMIT,
  );
});

describe('long task file names', () => {
  it.concurrent(
    'three 250-byte names (ASCII, multi-byte, mixed) run in a sequence, show in status and restart; every derived name fits in 255 bytes',
    async () => {
      const names = [`${'a'.repeat(247)}.md`, `${'é'.repeat(100)}${'x'.repeat(47)}.md`, `${'b'.repeat(151)}${'日'.repeat(32)}.md`];
      for (const name of names) expect(Buffer.byteLength(name)).toBeGreaterThanOrEqual(249);
      const tasks = Object.fromEntries(names.map((n, i) => [`tasks/${n}`, `T${i}\n`]));
      const project = await Project.create({ config: oneStep(), tasks, scenario: { attempts: [call(1), call(2), call(3), call(4)] } });
      const run = await project.run(['sequence', 'tasks'], SLOW);
      expect(run.stderr).not.toContain('ENAMETOOLONG');
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('3/3 done');
      expect(await taskStateNames(project)).toHaveLength(3);
      const status = await project.run(['status', 'tasks', '--json'], SLOW);
      expect(status.exitCode).toBe(0);
      expect(JSON.parse(status.stdout).tasks.map((t: { phase: string }) => t.phase)).toEqual(['done', 'done', 'done']);
      const restarted = await project.run(['run', `tasks/${names[0]}`, '--restart'], SLOW);
      expect(restarted.exitCode).toBe(0);
      expect(await project.calls()).toHaveLength(4);
      // Named as docs/state-files.md says: the slug cut to 200 characters, then the hash.
      for (const name of names) expect((await project.taskState(`tasks/${name}`)).phase).toBe('done');
      const longest = async (dir: string): Promise<number> => {
        let max = 0;
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          max = Math.max(max, Buffer.byteLength(entry.name));
          if (entry.isDirectory()) max = Math.max(max, await longest(path.join(dir, entry.name)));
        }
        return max;
      };
      expect(await longest(path.join(project.dir, '.claude-project'))).toBeLessThanOrEqual(255);
      // The restarted state was moved aside under a derived name that fits too.
      expect((await readdir(project.stateDir)).some((n) => n.includes('.state.json.restarted-'))).toBe(true);
    },
    LIMIT,
  );
});
