/**
 * Useful vs wasted spend: one pure function over the attempts a task state recorded. The states
 * are built by hand and every expected number is written out.
 */
import { describe, expect, it } from '@jest/globals';
import { spendData, spendSentence, costPerPassedTaskData, costPerPassedTaskText } from '../../src/report/spend-data.js';
import { addSpend, costPerPassedTask, splitAttempts, taskSpend } from '../../src/state/spend-split.js';
import { spendStats } from '../../src/state/spend-totals.js';
import { newSequenceState, SequenceStateSchema, withTask } from '../../src/state/sequence-state.js';
import { newTaskState, withTotals, type AttemptOutcome, type AttemptState, type TaskState } from '../../src/state/task-state.js';

const NOW = '2026-12-01T00:00:00.000Z';

function usage(input: number, output: number, costUsd: number | null) {
  return {
    inputTokens: input,
    outputTokens: output,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    cacheCreation5mInputTokens: 0,
    cacheCreation1hInputTokens: 0,
    costUsd,
  };
}

function attempt(n: number, outcome: AttemptOutcome, parts: Record<string, [number, number, number | null]>): AttemptState {
  return {
    attempt: n,
    model: 'claude-sonnet-4-5',
    outcome,
    startedAt: NOW,
    usage: Object.fromEntries(Object.entries(parts).map(([model, [i, o, c]]) => [model, usage(i, o, c)])),
    usageSource: 'result',
    malformedLines: 0,
  };
}

function task(phase: TaskState['phase'], steps: AttemptState[][]): TaskState {
  return withTotals({
    ...newTaskState('tasks/a.md', 'a', NOW),
    phase,
    steps: steps.map((attempts, i) => ({
      name: `step${i + 1}`,
      status: phase,
      model: 'claude-sonnet-4-5',
      attempts,
      usage: {},
      usageSource: 'result',
    })),
  });
}

const SONNET = 'claude-sonnet-4-5';
const HAIKU = 'claude-haiku-4-5';

describe('splitAttempts', () => {
  it('puts the passed attempt in useful and each other one under its reason, per model', () => {
    const state = task('done', [
      [
        attempt(1, 'check-failed', { [SONNET]: [100, 10, 0.25], [HAIKU]: [5, 1, 0.01] }),
        attempt(2, 'check-failed', { [SONNET]: [50, 5, 0.15] }),
        attempt(3, 'passed', { [SONNET]: [70, 7, 0.22] }),
      ],
      [attempt(1, 'timeout', { [HAIKU]: [20, 2, 0.04] }), attempt(2, 'passed', { [HAIKU]: [30, 3, 0.06] })],
    ]);
    const split = taskSpend(state);
    expect(split.useful.attempts).toBe(2);
    expect(split.useful.costUsd).toBe(0.28);
    expect(split.useful.usage[SONNET]).toMatchObject({ inputTokens: 70, outputTokens: 7, costUsd: 0.22 });
    expect(split.useful.usage[HAIKU]).toMatchObject({ inputTokens: 30, outputTokens: 3, costUsd: 0.06 });
    expect(split.waste.attempts).toBe(3);
    expect(split.waste.costUsd).toBe(0.45);
    expect(split.waste.usage[SONNET]).toMatchObject({ inputTokens: 150, outputTokens: 15, costUsd: 0.4 });
    expect(split.waste.usage[HAIKU]).toMatchObject({ inputTokens: 25, outputTokens: 3, costUsd: 0.05 });
    expect(split.byReason['check-failed']).toMatchObject({ attempts: 2, costUsd: 0.41 });
    expect(split.byReason.timeout).toMatchObject({ attempts: 1, costUsd: 0.04 });
    expect(split.byReason.error).toMatchObject({ attempts: 0, costUsd: 0, usage: {} });
    expect(split.running.attempts).toBe(0);
    // the parts add up to the task's own totals, model by model
    const whole = addSpend(addSpend(splitAttempts([]), split), splitAttempts([]));
    expect(whole.useful.costUsd! + whole.waste.costUsd!).toBeCloseTo(state.totalCostUsd!, 10);
    expect(split.useful.usage[SONNET]!.inputTokens + split.waste.usage[SONNET]!.inputTokens).toBe(state.tokenUsage[SONNET]!.inputTokens);
  });

  it('names every reason: errors and crashes, usage limits, budget stops, interrupts; an unfinished attempt is running', () => {
    const split = splitAttempts([
      attempt(1, 'claude-failed', { [SONNET]: [1, 1, 0.01] }),
      attempt(2, 'failed', { [SONNET]: [2, 1, 0.02] }),
      attempt(3, 'rate-limited', { [SONNET]: [3, 1, 0.03] }),
      attempt(4, 'budget', { [SONNET]: [4, 1, 0.04] }),
      attempt(5, 'interrupted', { [SONNET]: [5, 1, 0.05] }),
      attempt(6, 'unfinished', { [SONNET]: [6, 1, 0.06] }),
    ]);
    expect(split.byReason.error).toMatchObject({ attempts: 2, costUsd: 0.03 });
    expect(split.byReason['rate-limited']).toMatchObject({ attempts: 1, costUsd: 0.03 });
    expect(split.byReason.budget).toMatchObject({ attempts: 1, costUsd: 0.04 });
    expect(split.byReason.interrupted).toMatchObject({ attempts: 1, costUsd: 0.05 });
    expect(split.waste).toMatchObject({ attempts: 5, costUsd: 0.15 });
    expect(split.running).toMatchObject({ attempts: 1, costUsd: 0.06 });
    expect(split.useful).toMatchObject({ attempts: 0, costUsd: 0, usage: {} });
  });

  it('keeps an unknown cost unknown, never $0', () => {
    const split = splitAttempts([
      attempt(1, 'check-failed', { [SONNET]: [10, 1, 0.1], 'claude-new-model': [10, 1, null] }),
      attempt(2, 'passed', { [SONNET]: [10, 1, 0.1] }),
    ]);
    expect(split.waste.costUsd).toBeNull();
    expect(split.useful.costUsd).toBe(0.1);
    expect(spendSentence(split)).toBe('2 attempts; 1 failed check cost unknown of unknown');
  });
});

describe('the sentence', () => {
  it('says how many attempts, what was wasted and of what', () => {
    const split = splitAttempts([
      attempt(1, 'check-failed', { [SONNET]: [1, 1, 0.2] }),
      attempt(2, 'check-failed', { [SONNET]: [1, 1, 0.21] }),
      attempt(3, 'passed', { [SONNET]: [1, 1, 0.22] }),
    ]);
    expect(spendSentence(split)).toBe('3 attempts; 2 failed checks cost $0.4100 of $0.6300');
  });

  it('gives each reason its cost when there are several, and says what is still running', () => {
    const split = splitAttempts([
      attempt(1, 'check-failed', { [SONNET]: [1, 1, 0.2] }),
      attempt(2, 'timeout', { [SONNET]: [1, 1, 0.1] }),
      attempt(3, 'rate-limited', { [SONNET]: [1, 1, 0.05] }),
      attempt(4, 'unfinished', { [SONNET]: [1, 1, 0.01] }),
    ]);
    expect(spendSentence(split)).toBe(
      '4 attempts; 1 failed check ($0.2000), 1 timeout ($0.1000) and 1 usage-limit stop ($0.0500) cost $0.3500 of $0.3600; 1 still running',
    );
  });

  it('says when nothing was wasted', () => {
    expect(spendSentence(splitAttempts([attempt(1, 'passed', { [SONNET]: [1, 1, 0.5] })]))).toBe(
      '1 attempt; nothing wasted ($0.5000 useful)',
    );
    expect(spendSentence(splitAttempts([]))).toBe('no attempt yet');
  });

  it('lists only the reasons that happened in the JSON', () => {
    const data = spendData(
      splitAttempts([attempt(1, 'budget', { [SONNET]: [1, 1, 0.2] }), attempt(2, 'passed', { [SONNET]: [1, 1, 0.3] })]),
    );
    expect(data.byReason.map((r) => [r.reason, r.attempts, r.total.costUsd])).toEqual([['budget', 1, 0.2]]);
    expect(data.useful.total.costUsd).toBe(0.3);
  });
});

describe('cost per passed task', () => {
  it('is the whole spend over the tasks done; undefined with none done; unknown with an unknown cost', () => {
    expect(costPerPassedTask(0.9, 3)).toBe(0.3);
    expect(costPerPassedTask(0.9, 0)).toBeUndefined();
    expect(costPerPassedTask(null, 2)).toBeNull();
    expect(costPerPassedTaskText(costPerPassedTaskData(0.9, 3))).toBe('cost per passed task: $0.3000 ($0.9000 over 3 done)');
    expect(costPerPassedTaskText(costPerPassedTaskData(0.9, 0))).toBe('cost per passed task: none yet (no task done, $0.9000 spent)');
    expect(costPerPassedTaskText(costPerPassedTaskData(null, 2))).toBe('cost per passed task: unknown (a price is unknown; 2 done)');
    expect(costPerPassedTaskData(null, 0)).toEqual({ usd: null, status: 'no-task-done', spentUsd: null, tasksDone: 0 });
  });
});

describe('sequence totals', () => {
  it('keep useful and waste per model beside the totals, summed from the entries', () => {
    const a = task('done', [[attempt(1, 'check-failed', { [SONNET]: [10, 1, 0.1] }), attempt(2, 'passed', { [SONNET]: [20, 2, 0.2] })]]);
    const b = { ...task('failed', [[attempt(1, 'timeout', { [HAIKU]: [5, 1, 0.05] })]]), taskPath: 'tasks/b.md' };
    const sequence = withTask(withTask(newSequenceState('tasks', ['a', 'b'], NOW), 'a.state.json', a), 'b.state.json', b);
    expect(sequence.stats.usefulCostUsd).toBe(0.2);
    expect(sequence.stats.wasteCostUsd).toBe(0.15);
    expect(sequence.stats.usefulTokenUsage?.[SONNET]).toMatchObject({ inputTokens: 20, outputTokens: 2 });
    expect(sequence.stats.wasteTokenUsage?.[SONNET]).toMatchObject({ inputTokens: 10, outputTokens: 1 });
    expect(sequence.stats.wasteTokenUsage?.[HAIKU]).toMatchObject({ inputTokens: 5, outputTokens: 1 });
    expect(sequence.stats.totalCostUsd).toBe(0.35);
  });

  it('leave them out when an entry was written before they were kept (a part is not shown as the whole)', () => {
    expect(spendStats([{ usefulTokenUsage: {}, wasteTokenUsage: {} }, {}])).toEqual({
      usefulTokenUsage: undefined,
      usefulCostUsd: undefined,
      wasteTokenUsage: undefined,
      wasteCostUsd: undefined,
    });
  });
});

describe('older sequence states', () => {
  it('read as before: entries and stats without the split are valid', () => {
    const entry = { taskPath: 'tasks/a.md', stateFile: 'a.state.json', phase: 'done', tokenUsage: {}, costUsd: 0 };
    const old = {
      version: 1,
      tasksDir: 'tasks',
      phase: 'done',
      completedTasks: ['tasks/a.md'],
      failedTasks: [],
      currentTaskPath: null,
      tasks: [entry],
      stats: { tasksTotal: 1, tasksCompleted: 1, tasksFailed: 0, totalTokenUsage: {}, totalCostUsd: 0 },
      startedAt: NOW,
      updatedAt: NOW,
    };
    const parsed = SequenceStateSchema.parse(old);
    expect(parsed.stats.usefulTokenUsage).toBeUndefined();
    expect(parsed.tasks[0]!.wasteTokenUsage).toBeUndefined();
    // recording one task again while another entry is old: the split stays out of the stats
    const other = { ...task('done', [[attempt(1, 'passed', { [SONNET]: [1, 1, 0.1] })]]), taskPath: 'tasks/b.md' };
    const next = withTask(parsed, 'b.state.json', other);
    expect(next.stats.usefulTokenUsage).toBeUndefined();
    expect(JSON.parse(JSON.stringify(next)).stats).not.toHaveProperty('wasteCostUsd');
    expect(next.stats.totalCostUsd).toBe(0.1);
  });
});
