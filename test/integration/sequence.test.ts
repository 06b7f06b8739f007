import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
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
  totalOf,
  type Attempt,
  type BilledUsage,
  type ModelTokenUsage,
  knownCost,
} from './helpers.js';

afterAll(cleanup);

const TASKS = { 'tasks/03-c.md': 'Task C\n', 'tasks/01-a.md': 'Task A\n', 'tasks/02-b.md': 'Task B\n', 'tasks/notes.txt': 'not a task\n' };
const seqConfig = () => config([{ name: 'work', prompt: 'DO {{taskName}}' }]);

function call(modelUsage: Record<string, BilledUsage>, exitCode = 0): Attempt {
  const model = Object.keys(modelUsage)[0]!;
  return {
    lines: [
      init('sess'),
      ...assistant({ id: `msg_${Math.random().toString(36).slice(2)}`, model, usage: snapshot(9), blocks: 2 }),
      result({ modelUsage, isError: exitCode !== 0 }),
    ],
    exitCode,
  };
}

async function taskUsages(project: Project, slugs: string[]): Promise<ModelTokenUsage[]> {
  return Promise.all(slugs.map(async (slug) => (await project.taskState(slug)).tokenUsage as ModelTokenUsage));
}

describe('sequence: all tasks pass', () => {
  const a = { [SONNET]: billed(1_000, 100, 0, 0, 0.0045) };
  const b = { [OPUS]: billed(2_000, 300, 500, 1_000, 0.0625) };
  const c = { [SONNET]: billed(3_000, 50, 0, 7_000, 0.01185) };
  let project: Project;

  beforeAll(async () => {
    project = await Project.create({ config: seqConfig(), tasks: TASKS, scenario: { attempts: [call(a), call(b), call(c)] } });
  });

  it('runs the *.md tasks in name order; sequence totals = sum of the task states', async () => {
    const run = await project.run(['sequence', 'tasks']);
    expect(run.exitCode).toBe(0);
    const calls = await project.calls();
    expect(calls.map((x) => x.stdin.split('\n')[0])).toEqual(['DO 01-a', 'DO 02-b', 'DO 03-c']);
    const seq = await project.sequenceState();
    expect(seq.phase).toBe('done');
    expect(seq.completedTasks).toEqual(['tasks/01-a.md', 'tasks/02-b.md', 'tasks/03-c.md']);
    expect(seq.stats.tasksCompleted).toBe(3);
    expect(seq.stats.tasksFailed).toBe(0);
    const expected = sumUsage(fromModelUsage(a), fromModelUsage(b), fromModelUsage(c));
    expectUsage(seq.stats.totalTokenUsage, expected);
    expectUsage(seq.stats.totalTokenUsage, sumUsage(...(await taskUsages(project, ['01-a', '02-b', '03-c']))));
    expect(seq.stats.totalCostUsd).toBeCloseTo(knownCost(totalOf(expected).costUsd), 9);
    expectUsage((await project.taskState('02-b')).tokenUsage, fromModelUsage(b));
  });

  it('re-running the sequence skips the done tasks and counts nothing twice', async () => {
    const before = await Promise.all(['01-a', '02-b', '03-c'].map((s) => readFile(project.taskStateFile(s))));
    const seqBefore = await project.sequenceState();
    const run = await project.run(['sequence', 'tasks']);
    expect(run.exitCode).toBe(0);
    expect(await project.calls()).toHaveLength(3);
    const after = await Promise.all(['01-a', '02-b', '03-c'].map((s) => readFile(project.taskStateFile(s))));
    expect(after).toEqual(before);
    const seq = await project.sequenceState();
    expectUsage(seq.stats.totalTokenUsage, seqBefore.stats.totalTokenUsage);
    expect(seq.stats.tasksCompleted).toBe(3);
  });
});

describe('sequence: a task fails', () => {
  const a = { [SONNET]: billed(1_000, 100, 0, 0, 0.0045) };
  const b1 = { [SONNET]: billed(500, 20, 0, 0, 0.0018) };
  const b2 = { [SONNET]: billed(600, 25, 0, 0, 0.002175) };
  const c = { [OPUS]: billed(700, 40, 0, 0, 0.0135) };
  const b3 = { [SONNET]: billed(800, 30, 0, 0, 0.00285) };
  let project: Project;

  beforeAll(async () => {
    project = await Project.create({
      config: seqConfig(),
      tasks: TASKS,
      // run 1: a ok, b fails → stop. run 2 (--keep-going): b fails again, c ok. run 3: b ok.
      scenario: { attempts: [call(a), call(b1, 1), call(b2, 1), call(c), call(b3)] },
    });
  });

  it('stops after the failed task (exit 1); the failed attempt is still counted', async () => {
    const run = await project.run(['sequence', 'tasks']);
    expect(run.exitCode).toBe(1);
    expect(await project.calls()).toHaveLength(2);
    expect(existsSync(project.taskStateFile('03-c'))).toBe(false);
    const seq = await project.sequenceState();
    expect(seq.phase).toBe('failed');
    expect(seq.completedTasks).toEqual(['tasks/01-a.md']);
    expect(seq.failedTasks).toEqual(['tasks/02-b.md']);
    expect(seq.stats.tasksFailed).toBe(1);
    expectUsage(seq.stats.totalTokenUsage, sumUsage(fromModelUsage(a), fromModelUsage(b1)));
  });

  it('--keep-going goes on after the failed task; done tasks are not re-run', async () => {
    const run = await project.run(['sequence', 'tasks', '--keep-going']);
    expect(run.exitCode).toBe(1);
    const calls = await project.calls();
    expect(calls.map((x) => x.stdin.split('\n')[0])).toEqual(['DO 01-a', 'DO 02-b', 'DO 02-b', 'DO 03-c']);
    const seq = await project.sequenceState();
    expect(seq.phase).toBe('failed');
    expect([...seq.completedTasks].sort()).toEqual(['tasks/01-a.md', 'tasks/03-c.md']);
    expect(seq.failedTasks).toEqual(['tasks/02-b.md']);
    const expected = sumUsage(fromModelUsage(a), fromModelUsage(b1), fromModelUsage(b2), fromModelUsage(c));
    expectUsage(seq.stats.totalTokenUsage, expected);
    expectUsage(seq.stats.totalTokenUsage, sumUsage(...(await taskUsages(project, ['01-a', '02-b', '03-c']))));
  });

  it('a third run re-runs only the failed task and counts everything exactly once', async () => {
    const run = await project.run(['sequence', 'tasks']);
    expect(run.exitCode).toBe(0);
    const calls = await project.calls();
    expect(calls).toHaveLength(5);
    expect(calls[4]!.stdin.split('\n')[0]).toBe('DO 02-b');
    const seq = await project.sequenceState();
    expect(seq.phase).toBe('done');
    expect(seq.stats.tasksCompleted).toBe(3);
    expect(seq.stats.tasksFailed).toBe(0);
    expect(seq.failedTasks).toEqual([]);
    const expected = sumUsage(...[a, b1, b2, c, b3].map((u) => fromModelUsage(u)));
    expectUsage(seq.stats.totalTokenUsage, expected);
    expect(seq.stats.totalCostUsd).toBeCloseTo(knownCost(totalOf(expected).costUsd), 9);
    expectUsage((await project.taskState('02-b')).tokenUsage, sumUsage(...[b1, b2, b3].map((u) => fromModelUsage(u))));
    expect(run.stdout).toMatch(/3\/3 done/);
  });
});

describe('sequence: corrupt state files', () => {
  const CORRUPT = '{"version":1,"phase":"runn';
  const a = { [SONNET]: billed(1_000, 100, 0, 0, 0.0045) };

  it('a corrupt sequence.state.json: exit 2, the file named and unchanged, nothing run', async () => {
    const project = await Project.create({
      config: seqConfig(),
      tasks: { ...TASKS, '.claude-project/state/sequence.state.json': CORRUPT },
      scenario: { attempts: [call(a)] },
    });
    const run = await project.run(['sequence', 'tasks']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(project.sequenceStateFile);
    expect(await readFile(project.sequenceStateFile, 'utf8')).toBe(CORRUPT);
    expect(await project.calls()).toHaveLength(0);
  });

  it('sequence --restart with a corrupt sequence.state.json moves it aside (<file>.corrupt-<timestamp>) and runs', async () => {
    const project = await Project.create({
      config: seqConfig(),
      tasks: { ...TASKS, '.claude-project/state/sequence.state.json': CORRUPT },
      scenario: { attempts: [call(a)] },
    });
    const run = await project.run(['sequence', 'tasks', '--restart']);
    expect(run.stderr).not.toMatch(/cannot be parsed/);
    expect(run.exitCode).toBe(0);
    const aside = (await readdir(project.stateDir)).filter((n) => n.startsWith('sequence.state.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(path.join(project.stateDir, aside[0]!), 'utf8')).toBe(CORRUPT);
    expect((await project.sequenceState()).stats.tasksCompleted).toBe(3);
  });

  describe("a corrupt state file of the sequence's second task", () => {
    let project: Project;
    let run: Awaited<ReturnType<Project['run']>>;
    beforeAll(async () => {
      project = await Project.create({
        config: seqConfig(),
        tasks: { ...TASKS, [`.claude-project/state/${taskFileName('tasks/02-b.md')}.state.json`]: CORRUPT },
        scenario: { attempts: [call(a)] },
      });
      run = await project.run(['sequence', 'tasks']);
    });

    it('exit 2, the file named and unchanged', async () => {
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(project.taskStateFile('02-b'));
      expect(await readFile(project.taskStateFile('02-b'), 'utf8')).toBe(CORRUPT);
    });

    it('does not leave sequence.state.json saying "running" after the process has ended', async () => {
      if (existsSync(project.sequenceStateFile)) {
        const seq = await project.sequenceState();
        expect(seq.phase).not.toBe('running');
        expect(seq.currentTaskPath).toBeNull();
      }
    });

    it('is refused before any task runs (exit 2 is "bad input": nothing billed first)', async () => {
      expect(await project.calls()).toHaveLength(0);
      expect(existsSync(project.taskStateFile('01-a'))).toBe(false);
    });
  });
});
