/**
 * Which state file and logs folder a task gets, and which tasks a folder holds: every task path
 * has a state of its own, states of earlier versions carry over, two tasks never share one state,
 * and the task lister follows symlinks and never skips a task silently.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  OPUS,
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectUsage,
  fromModelUsage,
  init,
  result,
  snapshot,
  sumUsage,
  taskFileName,
  waitFor,
  type Attempt,
  type BilledUsage,
  type ModelTokenUsage,
} from './helpers.js';

afterAll(cleanup);

// Sequences of several tasks on a loaded machine: generous limits, as nothing here is timed.
const SLOW = { timeoutMs: 150_000 };
const LIMIT = 300_000;

const oneStep = () => config([{ name: 'work', prompt: 'DO {{taskName}}' }]);

function call(modelUsage: Record<string, BilledUsage>): Attempt {
  const model = Object.keys(modelUsage)[0]!;
  return {
    lines: [
      init('sess'),
      ...assistant({ id: `msg_${Math.random().toString(36).slice(2)}`, model, usage: snapshot(9), blocks: 1 }),
      result({ modelUsage }),
    ],
  };
}

/** The n-th distinct bill: n thousand input tokens, n hundred output. */
const bill = (n: number): Record<string, BilledUsage> => ({ [SONNET]: billed(n * 1_000, n * 100, 0, 0, n * 0.0045) });

/** The first line of each call's prompt, in call order. */
async function prompts(project: Project): Promise<string[]> {
  return (await project.calls()).map((c) => c.stdin.split('\n')[0]!);
}

/** A task state as an earlier version wrote it, with one done step per usage given. */
function earlierState(taskPath: string, phase: string, steps: Array<{ name: string; usage: ModelTokenUsage }>): Record<string, unknown> {
  const at = '2026-11-20T10:00:00.000Z';
  const total = sumUsage(...steps.map((s) => s.usage));
  return {
    version: 1,
    taskPath,
    taskName: path.basename(taskPath, '.md'),
    phase,
    steps: steps.map((s) => ({
      name: s.name,
      status: 'done',
      model: SONNET,
      attempts: [
        {
          attempt: 1,
          model: SONNET,
          outcome: 'passed',
          startedAt: at,
          endedAt: at,
          durationMs: 1,
          exitCode: 0,
          usage: s.usage,
          usageSource: 'result',
          malformedLines: 0,
        },
      ],
      usage: s.usage,
      usageSource: 'result',
      startedAt: at,
      finishedAt: at,
      durationMs: 1,
      exitCode: 0,
    })),
    tokenUsage: total,
    totalCostUsd: Object.values(total).reduce((n, u) => n + (u.costUsd ?? 0), 0),
    malformedLines: 0,
    createdAt: at,
    updatedAt: at,
    startedAt: at,
    ...(phase === 'done' && { finishedAt: at }),
  };
}

describe('state file names: one per task path', () => {
  it.concurrent(
    'five file names that once shared a slug (a b, a-b, a_b, 日本, 中文) each run once, with a state of their own',
    async () => {
      const names = ['a b', 'a-b', 'a_b', '中文', '日本'];
      const tasks = Object.fromEntries(names.map((n) => [`tasks/${n}.md`, `Task ${n}\n`]));
      const project = await Project.create({ config: oneStep(), tasks, scenario: { attempts: names.map((_, i) => call(bill(i + 1))) } });
      const run = await project.run(['sequence', 'tasks'], SLOW);
      expect(run.exitCode).toBe(0);
      expect(await prompts(project)).toEqual(names.map((n) => `DO ${n}`));
      expect(run.stdout).toContain('5/5 done, 0 failed');
      const files = names.map((n) => project.taskStateFile(`tasks/${n}.md`));
      expect(new Set(files).size).toBe(5);
      for (const [i, n] of names.entries()) {
        const state = await project.taskState(`tasks/${n}.md`);
        expect({ taskPath: state.taskPath, phase: state.phase }).toEqual({ taskPath: `tasks/${n}.md`, phase: 'done' });
        expectUsage(state.tokenUsage, fromModelUsage(bill(i + 1)));
        expect(existsSync(path.join(project.logsDir, taskFileName(`tasks/${n}.md`), '01-work.log'))).toBe(true);
      }
      expect(path.basename(files[0]!)).toMatch(/^a-b-[0-9a-f]{8}\.state\.json$/);
      expect(path.basename(files[3]!)).toMatch(/^task-[0-9a-f]{8}\.state\.json$/);
    },
    LIMIT,
  );

  it.concurrent(
    'run fa/same.md then fb/same.md: both run; status of each shows its own numbers',
    async () => {
      const project = await Project.create({
        config: oneStep(),
        tasks: { 'fa/same.md': 'A\n', 'fb/same.md': 'B\n' },
        scenario: { attempts: [call(bill(1)), call(bill(2))] },
      });
      expect((await project.run(['run', 'fa/same.md'], SLOW)).exitCode).toBe(0);
      const second = await project.run(['run', 'fb/same.md'], SLOW);
      expect(second.exitCode).toBe(0);
      expect(second.stdout).not.toContain('already done');
      expect(await project.calls()).toHaveLength(2);
      for (const [task, n] of [
        ['fa/same.md', 1],
        ['fb/same.md', 2],
      ] as const) {
        const status = await project.run(['status', task, '--json'], SLOW);
        expect(status.exitCode).toBe(0);
        const shown = JSON.parse(status.stdout).tasks[0];
        expect({ taskPath: shown.taskPath, phase: shown.phase, input: shown.total.inputTokens }).toEqual({
          taskPath: task,
          phase: 'done',
          input: n * 1_000,
        });
      }
    },
    LIMIT,
  );

  it.concurrent(
    'a state file that holds another task path is refused (exit 2, naming both and the file) by run, sequence and status; nothing runs or changes',
    async () => {
      const project = await Project.create({ config: oneStep(), tasks: { 'tasks/x.md': 'X\n' }, scenario: { attempts: [call(bill(1))] } });
      const file = project.taskStateFile('tasks/x.md');
      await mkdir(path.dirname(file), { recursive: true });
      const other = JSON.stringify(earlierState('tasks/y.md', 'done', [{ name: 'work', usage: fromModelUsage(bill(7)) }]));
      await writeFile(file, other);
      for (const args of [
        ['run', 'tasks/x.md'],
        ['sequence', 'tasks'],
        ['status', 'tasks/x.md'],
      ]) {
        const refused = await project.run(args, SLOW);
        expect({ args, exitCode: refused.exitCode }).toEqual({ args, exitCode: 2 });
        expect(refused.stderr).toContain(`${file} holds the state of task tasks/y.md, not of tasks/x.md`);
        expect(refused.stderr).not.toContain('    at ');
      }
      expect(await project.calls()).toHaveLength(0);
      expect(await readFile(file, 'utf8')).toBe(other);
    },
    LIMIT,
  );
});

describe('state files of earlier versions (<slug>.state.json)', () => {
  it.concurrent(
    'a done task is found by status, then moved to its new name by run with its logs; it does not run again',
    async () => {
      const project = await Project.create({ config: oneStep(), tasks: { 'tasks/a.md': 'A\n' }, scenario: { attempts: [call(bill(1))] } });
      const usage = fromModelUsage(bill(3));
      const old = path.join(project.stateDir, 'a.state.json');
      await mkdir(project.stateDir, { recursive: true });
      await writeFile(old, JSON.stringify(earlierState('tasks/a.md', 'done', [{ name: 'work', usage }])));
      await mkdir(path.join(project.logsDir, 'a'), { recursive: true });
      await writeFile(path.join(project.logsDir, 'a', '01-work.log'), 'the earlier log\n');

      const before = await project.run(['status', 'tasks/a.md', '--json'], SLOW);
      expect(before.exitCode).toBe(0);
      expect(JSON.parse(before.stdout).tasks[0]).toMatchObject({ phase: 'done', stateFile: old });

      const run = await project.run(['run', 'tasks/a.md'], SLOW);
      expect(run.exitCode).toBe(0);
      expect(await project.calls()).toHaveLength(0);
      expect(existsSync(old)).toBe(false);
      const moved = await project.taskState('tasks/a.md');
      expect(moved.phase).toBe('done');
      expectUsage(moved.tokenUsage, usage);
      expect(await readFile(`${project.stepLogBase('tasks/a.md', 0, 'work')}.log`, 'utf8')).toBe('the earlier log\n');
      expect(existsSync(path.join(project.logsDir, 'a'))).toBe(false);
    },
    LIMIT,
  );

  it.concurrent(
    'an unfinished task resumes from it: its done step is not run again and its usage is kept',
    async () => {
      const project = await Project.create({
        config: config([
          { name: 'plan', prompt: 'PLAN {{taskName}}' },
          { name: 'work', prompt: 'WORK {{taskName}}' },
        ]),
        tasks: { 'tasks/t.md': 'T\n' },
        scenario: { attempts: [call({ [OPUS]: billed(500, 50, 0, 0, 0.01125) })] },
      });
      const planned = fromModelUsage(bill(2));
      await mkdir(project.stateDir, { recursive: true });
      await writeFile(
        path.join(project.stateDir, 't.state.json'),
        JSON.stringify(earlierState('tasks/t.md', 'interrupted', [{ name: 'plan', usage: planned }])),
      );
      const run = await project.run(['run', 'tasks/t.md'], SLOW);
      expect(run.exitCode).toBe(0);
      expect(await prompts(project)).toEqual(['WORK t']);
      const state = await project.taskState('tasks/t.md');
      expect(state.phase).toBe('done');
      expectUsage(state.tokenUsage, sumUsage(planned, fromModelUsage({ [OPUS]: billed(500, 50, 0, 0, 0.01125) })));
      expect(existsSync(path.join(project.stateDir, 't.state.json'))).toBe(false);
    },
    LIMIT,
  );

  it.concurrent(
    "one that does not parse (it may be this task's) is refused, naming it; --restart moves it aside and runs",
    async () => {
      const project = await Project.create({ config: oneStep(), tasks: { 'tasks/t.md': 'T\n' }, scenario: { attempts: [call(bill(1))] } });
      const old = path.join(project.stateDir, 't.state.json');
      await mkdir(project.stateDir, { recursive: true });
      await writeFile(old, '{"version":1,"taskPath":"tasks/t.md","pha');
      const refused = await project.run(['run', 'tasks/t.md'], SLOW);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain(`${old}: state file cannot be parsed`);
      expect(await project.calls()).toHaveLength(0);
      const restarted = await project.run(['run', 'tasks/t.md', '--restart'], SLOW);
      expect(restarted.exitCode).toBe(0);
      expect((await readdir(project.stateDir)).filter((n) => n.startsWith('t.state.json.corrupt-'))).toHaveLength(1);
      expectUsage((await project.taskState('tasks/t.md')).tokenUsage, fromModelUsage(bill(1)));
    },
    LIMIT,
  );

  it.concurrent(
    "another task's earlier state under the same slug is neither used nor touched",
    async () => {
      const project = await Project.create({
        config: oneStep(),
        tasks: { 'tasks/a b.md': 'A B\n' },
        scenario: { attempts: [call(bill(1))] },
      });
      const old = path.join(project.stateDir, 'a-b.state.json');
      await mkdir(project.stateDir, { recursive: true });
      const text = JSON.stringify(earlierState('tasks/a-b.md', 'done', [{ name: 'work', usage: fromModelUsage(bill(4)) }]));
      await writeFile(old, text);
      const run = await project.run(['run', 'tasks/a b.md'], SLOW);
      expect(run.exitCode).toBe(0);
      expect(await prompts(project)).toEqual(['DO a b']);
      expectUsage((await project.taskState('tasks/a b.md')).tokenUsage, fromModelUsage(bill(1)));
      expect(await readFile(old, 'utf8')).toBe(text);
    },
    LIMIT,
  );
});

describe('the tasks of a folder', () => {
  it.concurrent(
    'a symlinked *.md task is run like the others',
    async () => {
      const project = await Project.create({
        config: oneStep(),
        tasks: { 'tasks/01-real.md': 'R\n', 'shared/linked.md': 'L\n' },
        scenario: { attempts: [call(bill(1)), call(bill(2))] },
      });
      await symlink(path.join('..', 'shared', 'linked.md'), path.join(project.dir, 'tasks', '02-link.md'));
      const run = await project.run(['sequence', 'tasks'], SLOW);
      expect(run.exitCode).toBe(0);
      expect(await prompts(project)).toEqual(['DO 01-real', 'DO 02-link']);
      expect(run.stdout).toContain('2/2 done');
      expectUsage((await project.taskState('tasks/02-link.md')).tokenUsage, fromModelUsage(bill(2)));
    },
    LIMIT,
  );

  it.concurrent(
    'a broken symlink is an error naming it (exit 2); nothing runs',
    async () => {
      const project = await Project.create({
        config: oneStep(),
        tasks: { 'tasks/01-a.md': 'A\n' },
        scenario: { attempts: [call(bill(1))] },
      });
      await symlink(path.join('..', 'nowhere.md'), path.join(project.dir, 'tasks', '02-gone.md'));
      for (const args of [
        ['sequence', 'tasks'],
        ['status', 'tasks'],
      ]) {
        const run = await project.run(args, SLOW);
        expect({ args, exitCode: run.exitCode }).toEqual({ args, exitCode: 2 });
        expect(run.stderr).toContain(`${path.join(project.dir, 'tasks', '02-gone.md')}: broken symlink to ../nowhere.md`);
        expect(run.stderr).not.toContain('    at ');
      }
      expect(await project.calls()).toHaveLength(0);
    },
    LIMIT,
  );

  it.concurrent(
    'a task named sequence.md runs like any other, beside sequence.state.json',
    async () => {
      const project = await Project.create({
        config: oneStep(),
        tasks: { 'tasks/a.md': 'A\n', 'tasks/sequence.md': 'S\n' },
        scenario: { attempts: [call(bill(1)), call(bill(2))] },
      });
      const run = await project.run(['sequence', 'tasks'], SLOW);
      expect({ exitCode: run.exitCode, stderr: run.stderr.includes('already being run') }).toEqual({ exitCode: 0, stderr: false });
      expect(await prompts(project)).toEqual(['DO a', 'DO sequence']);
      const task = await project.taskState('tasks/sequence.md');
      expect({ taskPath: task.taskPath, phase: task.phase }).toEqual({ taskPath: 'tasks/sequence.md', phase: 'done' });
      const seq = await project.sequenceState();
      expect({ phase: seq.phase, completed: seq.completedTasks }).toEqual({
        phase: 'done',
        completed: ['tasks/a.md', 'tasks/sequence.md'],
      });
      expect((await readdir(project.stateDir)).filter((n) => n.startsWith('sequence.state.json.'))).toEqual([]);
    },
    LIMIT,
  );

  it.concurrent(
    'after a task file is removed, the sequence counts only the tasks in the folder: 2/2 done, totals of those two',
    async () => {
      const tasks = { 'tasks/01-a.md': 'A\n', 'tasks/02-b.md': 'B\n', 'tasks/03-c.md': 'C\n' };
      const project = await Project.create({
        config: oneStep(),
        tasks,
        scenario: { attempts: [call(bill(1)), call(bill(2)), call(bill(3))] },
      });
      expect((await project.run(['sequence', 'tasks'], SLOW)).exitCode).toBe(0);
      await rm(path.join(project.dir, 'tasks', '02-b.md'));
      const again = await project.run(['sequence', 'tasks'], SLOW);
      expect(again.exitCode).toBe(0);
      expect(await project.calls()).toHaveLength(3);
      expect(again.stdout).toContain('2/2 done, 0 failed');
      const seq = await project.sequenceState();
      expect(seq.stats).toMatchObject({ tasksTotal: 2, tasksCompleted: 2, tasksFailed: 0 });
      expect(seq.completedTasks).toEqual(['tasks/01-a.md', 'tasks/03-c.md']);
      expectUsage(seq.stats.totalTokenUsage, sumUsage(fromModelUsage(bill(1)), fromModelUsage(bill(3))));
      const status = await project.run(['status', 'tasks'], SLOW);
      expect(status.stdout).toContain('2/2 done, 0 failed');
    },
    LIMIT,
  );

  it.concurrent(
    '--json: a sequence that stops on a task held by another process prints its one summary line, exit 2, phase failed',
    async () => {
      const tasks = { 'tasks/01-a.md': 'A\n', 'tasks/02-b.md': 'B\n', 'tasks/03-c.md': 'C\n' };
      const hung: Attempt = { ...call(bill(9)), hang: true };
      hung.lines = hung.lines!.slice(0, -1);
      const project = await Project.create({ config: oneStep(), tasks, scenario: { attempts: [hung, call(bill(1))] } });
      const running = project.start(['run', 'tasks/02-b.md'], SLOW);
      try {
        await waitFor('02-b running', async () => (await project.calls()).length === 1);
        const run = await project.run(['sequence', 'tasks', '--json'], SLOW);
        expect(run.exitCode).toBe(2);
        expect(run.stderr).toContain(`Task tasks/02-b.md is already being run by process ${running.pid} `);
        const lines = run.stdout.split('\n').filter(Boolean);
        expect(lines).toHaveLength(1);
        expect(JSON.parse(lines[0]!)).toMatchObject({
          command: 'sequence',
          phase: 'failed',
          exitCode: 2,
          tasksTotal: 3,
          tasksCompleted: 1,
          tasksFailed: 0,
          total: { inputTokens: 1_000 },
        });
        expect((await project.sequenceState()).phase).toBe('failed');
      } finally {
        // SIGTERM: the run stops its claude before it exits
        running.kill('SIGTERM');
        await running;
      }
    },
    LIMIT,
  );
});
