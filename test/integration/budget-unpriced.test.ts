// Budgets over a model no price table knows: claude bills claude-sonnet-9 although the step asked
// for a priced model. With Claude Code's own costUSD the cap is checked with it; without one the
// run stops cleanly (exit 2) naming the model and the `pricing:` entry to add — never a crash.
import { Project, assistant, billed, cleanup, config, init, result, snapshot, type Attempt } from './helpers.js';
import { validator } from '../report/schema.js';

afterAll(cleanup);

const UNKNOWN = 'claude-sonnet-9';

function unknownCall(id: string, costUSD: number | undefined): Attempt {
  const usage: Record<string, number> = { ...billed(10_000, 100, 0, 0, costUSD ?? 0) };
  if (costUSD === undefined) delete usage.costUSD;
  const end = result({ modelUsage: { [UNKNOWN]: usage as ReturnType<typeof billed> } });
  // a Claude Code that has no price gives no total either
  if (costUSD === undefined) delete end.total_cost_usd;
  return {
    lines: [init(`sess-${id}`, UNKNOWN), ...assistant({ id: `msg_${id}`, model: UNKNOWN, usage: snapshot(10_000), blocks: 1 }), end],
  };
}

const twoSteps = () =>
  config([
    { name: 'plan', prompt: 'Plan' },
    { name: 'work', prompt: 'Work' },
  ]);

describe('a cap over a model no table prices', () => {
  it.concurrent("is checked with Claude Code's own costUSD, recorded as priced by claude-code", async () => {
    const project = await Project.create({
      config: twoSteps(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [unknownCall('a', 0.02), unknownCall('b', 0.03)] },
    });
    const res = await project.run(['run', 'tasks/t.md', '--max-usd', '0.04']);
    // 0.02 spent after plan; work's forecast is none, so it starts and claude gets what is left
    expect(res.stderr).not.toContain('unexpected error');
    const calls = await project.calls();
    expect(calls).toHaveLength(2);
    const argv = calls[1]!.argv;
    expect(argv[argv.indexOf('--max-budget-usd') + 1]).toBe('0.02');
    const state = await project.taskState('t');
    expect(state.tokenUsage[UNKNOWN]).toEqual(expect.objectContaining({ costUsd: 0.05, claudeCostUsd: 0.05, priceSource: 'claude-code' }));
    expect(state.totalCostUsd).toBe(0.05);
    // the task cap is spent: 0.05 ≥ 0.04, checked with Claude Code's numbers
    expect(res.exitCode).toBe(0);
    const status = JSON.parse((await project.run(['status', 'tasks/t.md', '--json'])).stdout);
    expect(validator('status')(status)).toEqual([]);
    expect(status.tasks[0].models).toEqual([expect.objectContaining({ model: UNKNOWN, costUsd: 0.05, priceSource: 'claude-code' })]);
    expect(status.tasks[0].budget.caps).toEqual([expect.objectContaining({ scope: 'task', capUsd: 0.04, spentUsd: 0.05 })]);
  });

  it.concurrent('without any costUSD stops before the next step with exit 2, naming the model and the pricing: lines to add', async () => {
    const project = await Project.create({
      config: twoSteps(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [unknownCall('a', undefined), unknownCall('b', undefined)] },
    });
    const res = await project.run(['run', 'tasks/t.md', '--max-usd', '1']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).not.toContain('unexpected error');
    expect(res.stderr).not.toMatch(/^\s+at /m);
    expect(res.stderr).toContain(`the cost of ${UNKNOWN} is unknown`);
    expect(res.stderr).toContain(`pricing:\n  ${UNKNOWN}:\n    input: `);
    expect(await project.calls()).toHaveLength(1);
    const state = await project.taskState('t');
    expect(state.tokenUsage[UNKNOWN].costUsd).toBeNull();
    expect(state.tokenUsage[UNKNOWN].priceSource).toBeNull();
    expect(state.steps[1]?.attempts ?? []).toHaveLength(0);
  });

  it.concurrent("in a task's last step: the task fails with exit 2 naming the model, never done with its cap unchecked", async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [unknownCall('a', undefined)] },
    });
    const res = await project.run(['run', 'tasks/t.md', '--max-usd', '1']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(`the cost of ${UNKNOWN} is unknown, so the task cap $1.0000 (--max-usd) cannot be checked`);
    expect(res.stderr).toContain(`pricing:\n  ${UNKNOWN}:\n    input: `);
    const state = await project.taskState('t');
    expect(state.phase).toBe('failed');
    // the step did its work and stays done: with the price added, a second run bills nothing again
    expect(state.steps[0]).toMatchObject({ status: 'done' });
    expect(state.steps[0]?.attempts).toHaveLength(1);
    expect(state.tokenUsage[UNKNOWN].inputTokens).toBe(10_000);
    await project.writeConfig(config([{ name: 'work', prompt: 'Work' }], { pricing: { [UNKNOWN]: { input: 3, output: 15 } } }));
    const again = await project.run(['run', 'tasks/t.md', '--max-usd', '1']);
    expect(again.exitCode).toBe(0);
    expect(await project.calls()).toHaveLength(1);
    expect((await project.taskState('t')).phase).toBe('done');
  });

  it.concurrent('stops a sequence there too: exit 2, the next task never started', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }]),
      tasks: { 'tasks/01-a.md': 'a\n', 'tasks/02-b.md': 'b\n' },
      scenario: { attempts: [unknownCall('a', undefined), unknownCall('b', undefined)] },
    });
    const res = await project.run(['sequence', 'tasks', '--max-usd', '1', '--keep-going']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(`the cost of ${UNKNOWN} is unknown, so the sequence cap $1.0000 (--max-usd) cannot be checked`);
    expect(res.stderr).not.toContain('unexpected error');
    expect(await project.calls()).toHaveLength(1);
  });
});
