import { readFile } from 'node:fs/promises';
import {
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectFooter,
  expectUsage,
  fromModelUsage,
  init,
  markers,
  result,
  snapshot,
  sumUsage,
  totalOf,
  knownCost,
} from './helpers.js';

afterAll(cleanup);

describe('resume', () => {
  const planBilled = { [SONNET]: billed(1_000, 200, 4_000, 0, 0.05) };
  // The failed attempt was billed before claude gave up: its result still carries modelUsage.
  const failedBilled = { [SONNET]: billed(700, 90, 0, 4_000, 0.011) };
  const implementBilled = { [SONNET]: billed(1_300, 640, 100, 8_000, 0.0333) };
  let project: Project;

  beforeAll(async () => {
    project = await Project.create({
      config: config([
        { name: 'plan', prompt: 'PLAN {{taskPath}}' },
        { name: 'implement', prompt: 'IMPLEMENT {{taskPath}}' },
      ]),
      tasks: { 'tasks/feature.md': 'Build the feature.\n' },
      scenario: {
        attempts: [
          {
            lines: [
              init('s1'),
              ...assistant({ id: 'm1', model: SONNET, usage: snapshot(10), blocks: 2 }),
              result({ modelUsage: planBilled }),
            ],
          },
          {
            lines: [
              init('s2'),
              ...assistant({ id: 'm2', model: SONNET, usage: snapshot(20), blocks: 1 }),
              result({ modelUsage: failedBilled, isError: true, text: 'API Error: 500 Internal server error' }),
            ],
            exitCode: 1,
            stderr: 'something broke\n',
          },
          {
            lines: [
              init('s3'),
              ...assistant({ id: 'm3', model: SONNET, usage: snapshot(30), blocks: 3 }),
              result({ modelUsage: implementBilled }),
            ],
          },
        ],
      },
    });
  });

  it('first run: step 2 fails (claude exits 1) → exit 1, step 1 done, step 2 failed, its billed usage counted', async () => {
    const run = await project.run(['run', 'tasks/feature.md']);
    expect(run.exitCode).toBe(1);
    expect(await project.calls()).toHaveLength(2);
    const state = await project.taskState('feature');
    expect(state.phase).toBe('failed');
    expect(state.steps[0].status).toBe('done');
    expect(state.steps[1].status).toBe('failed');
    expect(state.steps[1].attempts).toHaveLength(1);
    expect(state.steps[1].attempts[0].outcome).toBe('claude-failed');
    expect(state.steps[1].attempts[0].exitCode).toBe(1);
    expectUsage(state.steps[1].usage, fromModelUsage(failedBilled));
    expectUsage(state.tokenUsage, sumUsage(fromModelUsage(planBilled), fromModelUsage(failedBilled)));
    const { log } = await project.stepLogs('feature', 1, 'implement');
    expectFooter(log, fromModelUsage(failedBilled), 'result');
    expect(log).toContain('something broke');
    expect(log).toMatch(/outcome: failed/);
  });

  it('second run re-runs only step 2; step 1 is not counted twice, the failed attempt still is', async () => {
    const before = await project.taskState('feature');
    const run = await project.run(['run', 'tasks/feature.md']);
    expect(run.exitCode).toBe(0);
    const calls = await project.calls();
    expect(calls).toHaveLength(3);
    expect(calls[2]!.stdin).toMatch(/^IMPLEMENT tasks\/feature\.md/);
    const state = await project.taskState('feature');
    expect(state.phase).toBe('done');
    expect(state.steps[0].attempts).toEqual(before.steps[0].attempts);
    expect(state.steps[1].attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['claude-failed', 'passed']);
    const implementTotal = sumUsage(fromModelUsage(failedBilled), fromModelUsage(implementBilled));
    expectUsage(state.steps[1].usage, implementTotal);
    const taskTotal = sumUsage(fromModelUsage(planBilled), implementTotal);
    expectUsage(state.tokenUsage, taskTotal);
    expect(state.totalCostUsd).toBeCloseTo(knownCost(totalOf(taskTotal).costUsd), 9);

    const plan = await project.stepLogs('feature', 0, 'plan');
    expect(markers(plan.jsonl).filter((m) => m.event === 'attempt_start')).toHaveLength(1);
    const implement = await project.stepLogs('feature', 1, 'implement');
    expect(
      markers(implement.jsonl)
        .filter((m) => m.event === 'attempt_start')
        .map((m) => m.attempt),
    ).toEqual([1, 2]);
    // The step's closing footer covers both attempts.
    const footer = expectFooter(implement.log, implementTotal, 'result');
    expect(footer.join('\n')).toMatch(/outcome: done · 2 attempt/);
  });

  it('a third run of a done task runs nothing and counts nothing', async () => {
    const before = await readFile(project.taskStateFile('feature'));
    const run = await project.run(['run', 'tasks/feature.md']);
    expect(run.exitCode).toBe(0);
    expect(await project.calls()).toHaveLength(3);
    expect(await readFile(project.taskStateFile('feature'))).toEqual(before);
    expect(run.stderr).toMatch(/already done/);
  });

  it('the state can be recomputed from the raw logs (recount finds no difference)', async () => {
    const recount = await project.run(['recount']);
    expect(recount.stdout).toMatch(/0 difference/);
    expect(recount.exitCode).toBe(0);
  });
});
