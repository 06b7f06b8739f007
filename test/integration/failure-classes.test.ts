/**
 * Failures that used to crash or mislead: a YAML alias bomb, a state timestamp that is not one,
 * recount during a run or after a raw log was deleted, merging a folder into itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  FAKE_CLAUDE,
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  init,
  result,
  snapshot,
  waitFor,
  type Attempt,
} from './helpers.js';

afterAll(cleanup);

const SLOW = { timeoutMs: 150_000 };
const LIMIT = 300_000;

const oneStep = () => config([{ name: 'work', prompt: 'DO {{taskName}}' }]);

function call(n: number, extra: Partial<Attempt> = {}): Attempt {
  return {
    lines: [
      init('sess'),
      ...assistant({ id: `msg_${n}`, model: SONNET, usage: snapshot(9), blocks: 1 }),
      result({ modelUsage: { [SONNET]: billed(n * 1_000, n * 100, 0, 0, n * 0.0045) } }),
    ],
    ...extra,
  };
}

/** A project whose task tasks/t.md ran once and is done. */
async function doneOnce(): Promise<Project> {
  const project = await Project.create({ config: oneStep(), tasks: { 'tasks/t.md': 'T\n' }, scenario: { attempts: [call(1)] } });
  expect((await project.run(['sequence', 'tasks'], SLOW)).exitCode).toBe(0);
  return project;
}

const noCrash = (stderr: string): void => expect(stderr).not.toMatch(/unexpected error| {4}at |\(unknown path\)/);

describe('bad config', () => {
  it.concurrent(
    'a YAML alias bomb is a config error naming the file (exit 2), for every command that reads the config; nothing is created',
    async () => {
      const bomb = [
        'a: &a ["x","x","x","x","x","x","x","x","x"]',
        ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
        `model: ${SONNET}`,
        `claude: {command: ${FAKE_CLAUDE}}`,
        'pipeline: [{name: work, prompt: DO}]',
      ].join('\n');
      const project = await Project.create({ config: bomb, tasks: { 'tasks/t.md': 'T\n' } });
      for (const args of [['run', 'tasks/t.md'], ['sequence', 'tasks'], ['status'], ['recount'], ['reconcile']]) {
        const refused = await project.run(args, SLOW);
        expect({ args, exitCode: refused.exitCode }).toEqual({ args, exitCode: 2 });
        expect(refused.stderr).toContain(`${project.configFile}: `);
        expect(refused.stderr).toMatch(/too many aliases/);
        noCrash(refused.stderr);
      }
      expect(existsSync(path.join(project.dir, '.claude-project'))).toBe(false);
      expect(await project.calls()).toHaveLength(0);
    },
    LIMIT,
  );
});

describe('a step name too long for its log file names', () => {
  it.concurrent(
    'is a config error naming the line and key (exit 2) before anything runs, not ENAMETOOLONG mid-run',
    async () => {
      const project = await Project.create({
        config: config([{ name: 's'.repeat(260), prompt: 'DO' }]),
        tasks: { 'tasks/t.md': 'T\n' },
        scenario: { attempts: [call(1)] },
      });
      const refused = await project.run(['run', 'tasks/t.md'], SLOW);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toMatch(
        /claude-project\.yaml:\d+: pipeline\[0\]\.name: at most 200 characters \(its log files are named after it\), got 260/,
      );
      noCrash(refused.stderr);
      expect(existsSync(path.join(project.dir, '.claude-project'))).toBe(false);
      expect(await project.calls()).toHaveLength(0);
    },
    LIMIT,
  );
});

describe('a config path that is a folder', () => {
  it.concurrent(
    "is refused in words (exit 2), not with the system call's message",
    async () => {
      const project = await Project.create({ config: oneStep(), tasks: { 'tasks/t.md': 'T\n' } });
      for (const args of [
        ['run', 'tasks/t.md', '--config', 'tasks'],
        ['status', '--config', 'tasks'],
      ]) {
        const refused = await project.run(args, SLOW);
        expect({ args, exitCode: refused.exitCode }).toEqual({ args, exitCode: 2 });
        expect(refused.stderr).toContain(`${path.join(project.dir, 'tasks')}: cannot read the config: is a folder, not a file (EISDIR)`);
        expect(refused.stderr).not.toContain('illegal operation');
        noCrash(refused.stderr);
      }
      expect(existsSync(path.join(project.dir, '.claude-project'))).toBe(false);
    },
    LIMIT,
  );
});

describe('state timestamps', () => {
  it.concurrent(
    'an attempt whose startedAt is not a timestamp is refused by every command the same way (exit 2, file and key named)',
    async () => {
      const project = await doneOnce();
      const file = (await readdir(project.stateDir)).find((n) => n.startsWith('t-') && n.endsWith('.state.json'))!;
      const stateFile = path.join(project.stateDir, file);
      const state = JSON.parse(await readFile(stateFile, 'utf8'));
      state.steps[0].attempts[0].startedAt = 'yesterday';
      const text = JSON.stringify(state);
      await writeFile(stateFile, text);
      for (const args of [
        ['status'],
        ['status', 'tasks'],
        ['reconcile'],
        ['recount'],
        ['run', 'tasks/t.md'],
        ['sequence', 'tasks'],
        ['report', '--html', 'r.html'],
      ]) {
        const refused = await project.run(args, {
          ...SLOW,
          env: { ANTHROPIC_ADMIN_KEY: 'sk-ant-admin-test', CLAUDE_PROJECT_ADMIN_API_URL: 'http://127.0.0.1:9' },
        });
        expect({ args, exitCode: refused.exitCode }).toEqual({ args, exitCode: 2 });
        expect(refused.stderr).toContain(`${stateFile}: not a valid state file (steps[0].attempts[0].startedAt: expected a timestamp`);
        expect(refused.stderr).toContain('"yesterday"');
        noCrash(refused.stderr);
      }
      expect(await readFile(stateFile, 'utf8')).toBe(text);
      expect(existsSync(path.join(project.dir, 'r.html'))).toBe(false);
    },
    LIMIT,
  );
});

describe('recount', () => {
  it.concurrent(
    'while a task runs, its unfinished attempt is skipped and said so (exit 0), not reported as differences',
    async () => {
      const project = await Project.create({
        config: oneStep(),
        tasks: { 'tasks/t.md': 'T\n' },
        scenario: {
          attempts: [{ lines: [init('sess'), ...assistant({ id: 'msg_1', model: SONNET, usage: snapshot(9), blocks: 1 })], hang: true }],
        },
      });
      const cli = project.start(['run', 'tasks/t.md'], { detached: true, timeoutMs: 120_000 });
      try {
        await waitFor('the attempt to be recorded as started', async () => {
          const names = existsSync(project.stateDir) ? await readdir(project.stateDir) : [];
          const name = names.find((n) => n.startsWith('t-') && n.endsWith('.state.json'));
          if (!name) return false;
          const state = JSON.parse(await readFile(path.join(project.stateDir, name), 'utf8'));
          return state.steps?.[0]?.attempts?.[0]?.outcome === 'unfinished' && (await project.calls()).length === 1;
        });
        const recount = await project.run(['recount'], SLOW);
        expect(recount.stdout).toContain('tasks/t.md: 0 attempt(s) recounted, 0 difference(s)');
        expect(recount.stdout).toContain('work attempt 1 is not finished (running, or cut off): skipped');
        expect(recount.stdout).not.toMatch(/[1-9]\d* difference/);
        expect(recount.exitCode).toBe(0);
        noCrash(recount.stderr);
      } finally {
        process.kill(-cli.pid!, 'SIGINT');
        await cli;
      }
    },
    LIMIT,
  );

  it.concurrent(
    'after a raw log is deleted, it is reported as missing (exit 1), never as a match',
    async () => {
      const project = await doneOnce();
      const logsDir = path.join(project.logsDir, (await readdir(project.logsDir))[0]!);
      await rm(path.join(logsDir, '01-work.jsonl'));
      for (const args of [['recount'], ['recount', 'tasks'], ['recount', '--fix']]) {
        const recount = await project.run(args, SLOW);
        expect({ args, exitCode: recount.exitCode }).toEqual({ args, exitCode: 1 });
        expect(recount.stdout).toContain('1 attempt(s) without a raw log');
        expect(recount.stdout).toContain(`work attempt 1: raw log missing (${path.join(logsDir, '01-work.jsonl')})`);
        expect(recount.stdout).not.toContain('match');
      }
    },
    LIMIT,
  );
});

describe('merge', () => {
  it.concurrent(
    'a folder merged into itself (as given, as S/. and through a symlink) is refused (exit 2, naming it) and nothing changes',
    async () => {
      const project = await Project.create({
        config: oneStep(),
        tasks: { 'tasks/a.md': 'A\n', 'tasks/b.md': 'B\n' },
        scenario: { attempts: [call(1)] },
      });
      expect((await project.run(['sequence', 'tasks', '--shard', '1/2'], SLOW)).exitCode).toBe(0);
      const link = path.join(project.base, 'state-link');
      await symlink(project.stateDir, link);
      const before = await project.snapshot();
      for (const [from, into] of [
        [project.stateDir, project.stateDir],
        [`${project.stateDir}/.`, project.stateDir],
        [link, project.stateDir],
        [project.stateDir, link],
      ]) {
        const refused = await project.run(['merge', from!, '--into', into!], SLOW);
        expect({ from, exitCode: refused.exitCode }).toEqual({ from, exitCode: 2 });
        expect(refused.stderr).toContain(`${from}: is the folder merged into`);
        noCrash(refused.stderr);
      }
      expect(await project.snapshot()).toEqual(before);
      expect((await project.sequenceState()).shard).toEqual({ index: 1, count: 2 });
    },
    LIMIT,
  );
});

describe('a command that fails writes nothing it did not finish', () => {
  const tooLong = `${'x'.repeat(300)}.html`;

  it.concurrent(
    'report --html and reconcile --report into a new folder that cannot take the file: exit 2, no file, no folder left',
    async () => {
      const project = await doneOnce();
      for (const args of [
        ['report', '--html', `new/${tooLong}`],
        ['reconcile', '--report', `new/${tooLong}`],
      ]) {
        const failed = await project.run(args, SLOW);
        expect({ args, exitCode: failed.exitCode }).toEqual({ args, exitCode: 2 });
        expect(failed.stderr).toContain(`new/${tooLong}: cannot write the report: path too long (ENAMETOOLONG)`);
        expect(failed.stderr).not.toContain('.tmp');
        noCrash(failed.stderr);
        expect(existsSync(path.join(project.dir, 'new'))).toBe(false);
      }
    },
    LIMIT,
  );

  it.concurrent.each([
    ['a shard folder not found', 'nowhere/state', 'nowhere/state: state folder not found'],
    // it said "not found" for a file that is there
    [
      'a file given as a shard folder',
      'claude-project.yaml',
      'claude-project.yaml: not a folder; give the state folder of a shard (its statePath).',
    ],
  ])(
    'merge --into a new folder that fails (%s) says so and leaves no folder behind',
    async (_, shard, message) => {
      const project = await doneOnce();
      const failed = await project.run(['merge', project.stateDir, shard, '--into', 'new/state'], SLOW);
      expect(failed.exitCode).toBe(2);
      expect(failed.stderr).toContain(message);
      noCrash(failed.stderr);
      expect(existsSync(path.join(project.dir, 'new'))).toBe(false);
    },
    LIMIT,
  );
});

describe("an output never replaces the project's own files, nor anything but a file", () => {
  it.concurrent(
    'report --html / reconcile --report onto a state file, a raw log, the config, or a pipe: exit 2, every file as it was',
    async () => {
      const project = await doneOnce();
      const [stateFile] = (await readdir(project.stateDir)).filter((name) => name.startsWith('t-'));
      const rawLog = `${project.stepLogBase('t', 0, 'work')}.jsonl`;
      // outside the project folder: its snapshot reads every file, and a pipe's read never ends
      const pipe = path.join(project.dir, '..', 'pipe');
      execFileSync('mkfifo', [pipe]);
      const before = await project.snapshot();
      for (const args of [
        ['report', '--html', path.join(project.stateDir, stateFile!)],
        ['reconcile', '--report', rawLog],
        ['report', '--html', 'claude-project.yaml'],
        ['report', '--html', pipe],
      ]) {
        const refused = await project.run(args, SLOW);
        expect({ args, exitCode: refused.exitCode }).toEqual({ args, exitCode: 2 });
        expect(refused.stderr).toMatch(/is the project's config, or inside its state or logs folder|is not a regular file/);
        noCrash(refused.stderr);
      }
      expect(await project.snapshot()).toEqual(before);
    },
    LIMIT,
  );
});

describe('what every message names', () => {
  it.concurrent(
    'NaN and infinities in the config are named as such, never "got number null"',
    async () => {
      const project = await Project.create({
        config: 'timeoutSeconds: .nan\npipeline:\n  - name: w\n    prompt: p\n',
        tasks: { 'tasks/t.md': 'T\n' },
      });
      const run = await project.run(['run', 'tasks/t.md']);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain('timeoutSeconds: expected a number');
      expect(run.stderr).toContain('got number NaN');
      expect(run.stderr).not.toContain('null');
    },
    LIMIT,
  );

  it.concurrent(
    "a folder where a task's state file belongs, and a state file that points nowhere: the path is named; the dangling one is no task",
    async () => {
      const project = await doneOnce();
      const [stateFile] = (await readdir(project.stateDir)).filter((name) => name.startsWith('t-'));
      await symlink(path.join(project.dir, 'gone.json'), path.join(project.stateDir, 'old-00000000.state.json'));
      for (const args of [['status'], ['merge', project.stateDir, '--into', 'merged/state']]) {
        const ran = await project.run(args, SLOW);
        expect({ args, exitCode: ran.exitCode }).toEqual({ args, exitCode: 0 });
        noCrash(ran.stderr);
        expect(`${ran.stdout}${ran.stderr}`).not.toContain('old-00000000');
      }
      await rm(path.join(project.stateDir, stateFile!));
      await mkdir(path.join(project.stateDir, stateFile!));
      for (const args of [
        ['run', 'tasks/t.md'],
        ['status', 'tasks/t.md'],
      ]) {
        const refused = await project.run(args, SLOW);
        expect({ args, exitCode: refused.exitCode }).toEqual({ args, exitCode: 2 });
        expect(refused.stderr).toContain(
          `${path.join(project.stateDir, stateFile!)}: cannot read the state file: is a folder, not a file (EISDIR)`,
        );
      }
    },
    LIMIT,
  );

  it.concurrent(
    'a sequence refused for a task state that does not fit leaves its own sequence.state.json where it was',
    async () => {
      const project = await doneOnce();
      const [stateFile] = (await readdir(project.stateDir)).filter((name) => name.startsWith('t-'));
      await writeFile(path.join(project.stateDir, stateFile!), '{"version": 1, "taskPath": 5}\n');
      const before = await project.snapshot();
      // as a shard it is another sequence, whose state would be moved aside; the task state stops it first
      const refused = await project.run(['sequence', 'tasks', '--shard', '1/1'], SLOW);
      expect(refused.exitCode).toBe(2);
      noCrash(refused.stderr);
      expect(await project.snapshot()).toEqual(before);
    },
    LIMIT,
  );
});

describe('what else the state folder holds', () => {
  it.concurrent(
    'a stray notes.json, a folder named x.state.json, .corrupt-/temp files, a lock folder and ._t.state.json are ignored by every command that lists it',
    async () => {
      const project = await doneOnce();
      const stray = (name: string): string => path.join(project.stateDir, name);
      await writeFile(stray('notes.json'), '{"mine": true}\n');
      await mkdir(stray('junk.state.json'));
      await mkdir(stray('x.state.json.lock'));
      await writeFile(stray('t-00000000.state.json.corrupt-2026-01-01T00-00-00-000Z'), '{');
      await writeFile(stray('t-00000000.state.json.123.abcd1234.tmp'), '{');
      await writeFile(stray('._t-00000000.state.json'), Buffer.from([0, 5, 22, 7, 0xff]));
      for (const args of [
        ['status'],
        ['status', '--json'],
        ['recount'],
        ['report', '--html', 'r.html'],
        ['reconcile'],
        ['sequence', 'tasks'],
        ['merge', project.stateDir, '--into', 'merged/state'],
      ]) {
        const ran = await project.run(args, SLOW);
        expect({ args, exitCode: ran.exitCode }).toEqual({ args, exitCode: 0 });
        noCrash(ran.stderr);
        expect(`${ran.stdout}${ran.stderr}`).not.toMatch(/notes\.json|junk|\._t-|\.tmp|corrupt/);
      }
      expect(await readdir(path.join(project.dir, 'merged', 'state'))).not.toContain('junk.state.json');
    },
    LIMIT,
  );
});

describe('a copy of a task state under another name (a backup)', () => {
  it.concurrent(
    'is not counted again by status, status --json, report or a budget cap',
    async () => {
      const project = await doneOnce();
      const [stateFile] = (await readdir(project.stateDir)).filter((name) => name.startsWith('t-'));
      const before = JSON.parse((await project.run(['status', '--json'], SLOW)).stdout);
      await writeFile(
        path.join(project.stateDir, stateFile!.replace('.state.json', '-backup.state.json')),
        await readFile(path.join(project.stateDir, stateFile!)),
      );
      const after = JSON.parse((await project.run(['status', '--json'], SLOW)).stdout);
      expect(after.tasks).toHaveLength(1);
      expect(after.totals).toEqual(before.totals);
      const text = await project.run(['status'], SLOW);
      expect(text.stdout).toContain('Total over 1 task(s)');
      const report = await project.run(['report', '--html', 'r.html'], SLOW);
      expect(report.stdout).toContain('1/1 task(s) run');
      // a sequence cap sees what was spent once: $0.0045 + the next task's forecast ($0.0045) fit in $0.01; twice would not
      await project.writeFile('tasks/u.md', 'U\n');
      const run = await project.run(['sequence', 'tasks', '--max-usd', '0.01'], SLOW);
      expect(run.stdout).not.toContain('budget:');
      expect(run.exitCode).toBe(0);
      expect(await project.calls()).toHaveLength(2);
    },
    LIMIT,
  );
});

describe('init that cannot write everything', () => {
  it.concurrent(
    'writes nothing: the config written before the task that failed is removed (exit 2)',
    async () => {
      const project = await Project.create();
      await mkdir(path.join(project.dir, 'app'));
      await writeFile(path.join(project.dir, 'app', 'tasks'), 'a file where the tasks folder would go\n');
      const failed = await project.run(['init', 'app'], SLOW);
      expect(failed.exitCode).toBe(2);
      expect(failed.stderr).toContain(path.join(project.dir, 'app', 'tasks', 'example.md'));
      noCrash(failed.stderr);
      expect((await readdir(path.join(project.dir, 'app'))).sort()).toEqual(['tasks']);
      const nested = await project.run(['init', 'new/app'], { ...SLOW, env: {} });
      expect(nested.exitCode).toBe(0);
      expect(existsSync(path.join(project.dir, 'new', 'app', 'claude-project.yaml'))).toBe(true);
    },
    LIMIT,
  );
});
