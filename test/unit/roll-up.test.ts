/**
 * The one roll-up (attempts → step → task → sequence/folder), on hand-built states whose
 * expected totals are written out by hand below.
 */
import { RollUp, rollUp, rollUpStep, rollUpTask, rollUpTasks } from '../../src/state/roll-up.js';
import { newSequenceState, withTask } from '../../src/state/sequence-state.js';
import { newTaskState, withTotals, type AttemptState, type TaskState } from '../../src/state/task-state.js';
import type { TokenUsage } from '../../src/usage/types.js';

const NOW = '2026-12-01T00:00:00.000Z';

function usage(input: number, output: number, write5m: number, write1h: number, read: number, costUsd: number | null): TokenUsage {
  return {
    inputTokens: input,
    outputTokens: output,
    cacheCreationInputTokens: write5m + write1h,
    cacheReadInputTokens: read,
    cacheCreation5mInputTokens: write5m,
    cacheCreation1hInputTokens: write1h,
    costUsd,
  };
}

function attempt(
  n: number,
  parts: Record<string, TokenUsage>,
  source: AttemptState['usageSource'] = 'result',
  malformed = 0,
): AttemptState {
  return {
    attempt: n,
    model: 'claude-sonnet-4-5',
    outcome: 'passed',
    startedAt: NOW,
    usage: parts,
    usageSource: source,
    malformedLines: malformed,
  };
}

function task(taskPath: string, steps: Array<{ name: string; attempts: AttemptState[] }>): TaskState {
  const base = newTaskState(taskPath, taskPath, NOW);
  return withTotals({
    ...base,
    phase: 'done',
    steps: steps.map((s) => ({
      name: s.name,
      status: 'done',
      model: 'claude-sonnet-4-5',
      attempts: s.attempts,
      usage: {},
      usageSource: 'none',
    })),
  });
}

// Task A: step "plan" (2 attempts, sonnet then sonnet + haiku), step "build" (1 attempt, haiku, from a transcript).
const taskA = task('tasks/a.md', [
  {
    name: 'plan',
    attempts: [
      attempt(1, { 'claude-sonnet-4-5': usage(10, 5, 100, 0, 0, 0.1) }),
      attempt(2, { 'claude-sonnet-4-5': usage(20, 7, 0, 50, 100, 0.2), 'claude-haiku-4-5': usage(3, 1, 0, 0, 0, 0.01) }, 'result', 2),
    ],
  },
  { name: 'build', attempts: [attempt(1, { 'claude-haiku-4-5': usage(4, 2, 10, 0, 5, 0.02) }, 'transcript', 1)] },
]);
// Task B: one attempt of a model nobody prices.
const taskB = task('tasks/b.md', [{ name: 'plan', attempts: [attempt(1, { 'claude-unknown-9': usage(1, 1, 0, 0, 0, null) })] }]);
// Task C: sonnet only.
const taskC = task('tasks/c.md', [{ name: 'plan', attempts: [attempt(1, { 'claude-sonnet-4-5': usage(1, 2, 3, 4, 5, 0.3) })] }]);

describe('roll-up', () => {
  it('a step is the sum of its attempts, as exact as its least exact attempt', () => {
    const [plan, build] = taskA.steps;
    expect(plan!.usage).toEqual({
      'claude-sonnet-4-5': usage(30, 12, 100, 50, 100, 0.3),
      'claude-haiku-4-5': usage(3, 1, 0, 0, 0, 0.01),
    });
    expect(plan!.usageSource).toBe('result');
    expect(build!.usageSource).toBe('transcript');
    expect(rollUpStep([]).usageSource).toBe('none');
  });

  it('a task is the sum of its steps, models in first-seen order, with its cost and malformed lines', () => {
    expect(Object.keys(taskA.tokenUsage)).toEqual(['claude-sonnet-4-5', 'claude-haiku-4-5']);
    expect(taskA.tokenUsage).toEqual({
      'claude-sonnet-4-5': usage(30, 12, 100, 50, 100, 0.3),
      'claude-haiku-4-5': usage(7, 3, 10, 0, 5, 0.03),
    });
    expect(taskA.totalCostUsd).toBe(0.33);
    expect(taskA.malformedLines).toBe(3);
    expect(rollUpTask(taskA.steps.map((s) => ({ usage: s.usage, malformedLines: 0 }))).costUsd).toBe(0.33);
  });

  it('an unknown cost anywhere makes the sum unknown, never 0', () => {
    expect(taskB.totalCostUsd).toBeNull();
    expect(rollUpTasks([taskA, taskB, taskC]).costUsd).toBeNull();
    expect(rollUpTasks([taskA, taskC]).costUsd).toBe(0.63);
  });

  it('a sequence is the sum of its tasks, and the same however it is added', () => {
    const expected = {
      'claude-sonnet-4-5': usage(31, 14, 103, 54, 105, 0.6),
      'claude-haiku-4-5': usage(7, 3, 10, 0, 5, 0.03),
      'claude-unknown-9': usage(1, 1, 0, 0, 0, null),
    };
    let sequence = newSequenceState('tasks', ['a', 'b', 'c'], NOW);
    for (const t of [taskA, taskB, taskC]) sequence = withTask(sequence, `${t.taskPath}.state.json`, t);
    expect(sequence.stats.totalTokenUsage).toEqual(expected);
    expect(sequence.stats.totalCostUsd).toBeNull();
    const running = new RollUp();
    for (const t of [taskA, taskB, taskC]) running.add(t.tokenUsage);
    expect(running.totals.tokenUsage).toEqual(expected);
    expect(running.count).toBe(3);
    expect(rollUp([taskA.tokenUsage, taskB.tokenUsage, taskC.tokenUsage]).tokenUsage).toEqual(expected);
  });

  it("keeps Claude Code's own cost when every part has one, and drops it when one lacks it", () => {
    const withClaude = (u: TokenUsage, claudeCostUsd: number) => ({ ...u, claudeCostUsd });
    const both = rollUp([{ m: withClaude(usage(1, 0, 0, 0, 0, 0.1), 0.1) }, { m: withClaude(usage(2, 0, 0, 0, 0, 0.2), 0.2) }]);
    expect(both.tokenUsage.m!.claudeCostUsd).toBe(0.3);
    const one = rollUp([{ m: withClaude(usage(1, 0, 0, 0, 0, 0.1), 0.1) }, { m: usage(2, 0, 0, 0, 0, 0.2) }]);
    expect(one.tokenUsage.m!.claudeCostUsd).toBeUndefined();
  });

  it('nothing adds up to nothing, at no cost', () => {
    expect(rollUpTasks([])).toEqual({ tokenUsage: {}, costUsd: 0 });
  });
});
