/**
 * The sequence state is rewritten whole only now and then (its cost grows with its tasks); the
 * task states are the truth. A kill between two writes leaves `sequence.state.json` behind its
 * tasks: the next run must turn it into exact totals, without running or rewriting a done task,
 * and `recount` must then verify them.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
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
  type Attempt,
  type BilledUsage,
} from './helpers.js';

afterAll(cleanup);

function call(modelUsage: Record<string, BilledUsage>): Attempt {
  const model = Object.keys(modelUsage)[0]!;
  return {
    lines: [
      init('sess'),
      ...assistant({ id: `msg_${model}_${Math.random()}`, model, usage: snapshot(9), blocks: 1 }),
      result({ modelUsage }),
    ],
  };
}

describe('a sequence state left behind its tasks', () => {
  const a = { [SONNET]: billed(1_000, 100, 0, 0, 0.0045) };
  const b = { [OPUS]: billed(2_000, 300, 500, 1_000, 0.0625) };
  const c = { [SONNET]: billed(3_000, 50, 0, 7_000, 0.01185) };
  const d = { [SONNET]: billed(10, 5, 0, 0, 0.0001) };
  let project: Project;

  beforeAll(async () => {
    project = await Project.create({
      config: config([{ name: 'work', prompt: 'DO {{taskName}}' }]),
      tasks: { 'tasks/01-a.md': 'A\n', 'tasks/02-b.md': 'B\n', 'tasks/03-c.md': 'C\n' },
      scenario: { attempts: [call(a), call(b), call(c), call(d)] },
    });
  });

  it('is brought to exact totals by the next run, done tasks untouched; recount verifies them', async () => {
    expect((await project.run(['sequence', 'tasks'])).exitCode).toBe(0);
    const finished = await project.sequenceState();
    // As a kill leaves it after the first task's entry was written and before the others were:
    // running, one entry, that entry's totals.
    const behind = {
      ...finished,
      phase: 'running',
      finishedAt: undefined,
      currentTaskPath: 'tasks/02-b.md',
      tasks: finished.tasks.slice(0, 1),
      completedTasks: ['tasks/01-a.md'],
      stats: {
        ...finished.stats,
        tasksCompleted: 1,
        totalTokenUsage: finished.tasks[0].tokenUsage,
        totalCostUsd: finished.tasks[0].costUsd,
      },
    };
    await writeFile(project.sequenceStateFile, JSON.stringify(behind, null, 2));
    const statesBefore = await Promise.all(['01-a', '02-b', '03-c'].map((t) => stat(project.taskStateFile(t))));

    // a fourth task added meanwhile runs; the three done ones are only recorded again
    await project.writeFile('tasks/04-d.md', 'D\n');
    const run = await project.run(['sequence', 'tasks']);
    expect(run.exitCode).toBe(0);
    expect((await project.calls()).map((x) => x.task)).toEqual(['tasks/01-a.md', 'tasks/02-b.md', 'tasks/03-c.md', 'tasks/04-d.md']);
    const statesAfter = await Promise.all(['01-a', '02-b', '03-c'].map((t) => stat(project.taskStateFile(t))));
    expect(statesAfter.map((s) => [s.ino, s.mtimeMs])).toEqual(statesBefore.map((s) => [s.ino, s.mtimeMs]));

    const seq = await project.sequenceState();
    expect(seq.phase).toBe('done');
    expect(seq.currentTaskPath).toBeNull();
    expect(seq.completedTasks).toEqual(['tasks/01-a.md', 'tasks/02-b.md', 'tasks/03-c.md', 'tasks/04-d.md']);
    expect(seq.tasks.map((t: { taskPath: string }) => t.taskPath)).toEqual(seq.completedTasks);
    expect(seq.stats.tasksCompleted).toBe(4);
    const expected = sumUsage(fromModelUsage(a), fromModelUsage(b), fromModelUsage(c), fromModelUsage(d));
    expectUsage(seq.stats.totalTokenUsage, expected);

    const recount = await project.run(['recount', 'tasks']);
    expect(recount.stdout).toContain('State files match the raw logs.');
    expect(recount.exitCode).toBe(0);
  });

  it('a billing record another command wrote into the sequence state is kept by the next run', async () => {
    const seq = await project.sequenceState();
    const billing = {
      status: 'verified',
      checkedAt: '2026-12-01T00:00:00.000Z',
      window: { start: '2026-12-01T00:00:00.000Z', end: '2026-12-01T00:01:00.000Z' },
      billed: {},
      difference: {},
      reads: 1,
    };
    await writeFile(project.sequenceStateFile, JSON.stringify({ ...seq, billing }, null, 2));
    expect((await project.run(['sequence', 'tasks'])).exitCode).toBe(0);
    expect(JSON.parse(await readFile(project.sequenceStateFile, 'utf8')).billing).toMatchObject(billing);
  });
});
