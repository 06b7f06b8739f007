/**
 * "Spent" is counted one way: costOf(state) sums the attempts, null when any part is unknown.
 * Budgets, `status` and the run summaries all use it: an unknown is never counted as $0.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { budgetData, formatCaps } from '../../src/report/budget-data.js';
import { costOf, stepCostOf, unpricedModelsOf } from '../../src/state/cost-of.js';
import { folderSpentUsd } from '../../src/state/load-states.js';
import { newTaskState, withTotals, type AttemptState, type TaskState } from '../../src/state/task-state.js';
import { costsOf, spentIn } from '../../src/pipeline/budget/costs.js';

const NOW = '2026-12-01T00:00:00.000Z';

function attempt(number: number, costs: Record<string, number | null>): AttemptState {
  const usage = Object.fromEntries(
    Object.entries(costs).map(([model, costUsd]) => [
      model,
      {
        inputTokens: 10,
        outputTokens: 1,
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 0,
        cacheCreation5mInputTokens: 0,
        cacheCreation1hInputTokens: 0,
        costUsd,
        priceSource: costUsd === null ? null : 'config',
      },
    ]),
  );
  return {
    attempt: number,
    model: 'claude-sonnet-4-5',
    outcome: 'passed',
    startedAt: NOW,
    usage,
    usageSource: 'result',
    malformedLines: 0,
  };
}

function task(name: string, steps: Array<[string, AttemptState[]]>): TaskState {
  return withTotals({
    ...newTaskState(`tasks/${name}.md`, name, NOW),
    phase: 'done',
    steps: steps.map(([stepName, attempts]) => ({
      name: stepName,
      status: 'done',
      model: 'claude-sonnet-4-5',
      attempts,
      usage: {},
      usageSource: 'result',
    })),
  });
}

const known = task('known', [
  ['plan', [attempt(1, { 'claude-sonnet-4-5': 0.25 })]],
  ['work', [attempt(1, { 'claude-sonnet-4-5': 0.5, 'claude-haiku-4-5': 0.125 })]],
]);
const unknown = task('unknown', [
  ['plan', [attempt(1, { 'claude-sonnet-4-5': 0.25 })]],
  ['work', [attempt(1, { 'claude-sonnet-4-5': 0.5 }), attempt(2, { 'claude-sonnet-9': null })]],
]);

describe('costOf', () => {
  it('sums the attempts; any unknown part makes the whole unknown, naming the model', () => {
    expect(costOf(known)).toBe(0.875);
    expect(costOf(unknown)).toBeNull();
    expect(stepCostOf(unknown.steps[0]!)).toBe(0.25);
    expect(stepCostOf(unknown.steps[1]!)).toBeNull();
    expect(unpricedModelsOf(unknown)).toEqual(['claude-sonnet-9']);
    expect(costOf(newTaskState('tasks/new.md', 'new', NOW))).toBe(0);
  });

  it('is what budgets count: an unknown scope is null (the caller stops), the known ones still counted', () => {
    expect(spentIn(known, [costsOf(unknown)], 'work')).toEqual({ sequence: null, task: 0.875, step: 0.625, unpriced: ['claude-sonnet-9'] });
    expect(spentIn(known, [costsOf(known)], 'plan')).toEqual({ sequence: 1.75, task: 0.875, step: 0.25, unpriced: [] });
    // an attempt of unknown cost is no forecast sample; the known ones are
    expect(costsOf(unknown).finished.get('work')).toEqual([0.5]);
  });

  it("is what status shows as a folder's spending: unknown, never the known part alone", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cost-of-'));
    try {
      await writeFile(path.join(dir, 'known.state.json'), JSON.stringify(known));
      expect(await folderSpentUsd(dir)).toBe(0.875);
      await writeFile(path.join(dir, 'unknown.state.json'), JSON.stringify(unknown));
      expect(await folderSpentUsd(dir)).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('shows an unknown spending under a cap as unknown', () => {
    const record = { caps: [{ scope: 'task' as const, usd: 1, source: '--max-usd' }] };
    const data = budgetData(record, unknown, null);
    expect(data?.caps[0]?.spentUsd).toBeNull();
    expect(formatCaps(data!)).toBe('task unknown / $1.0000 (--max-usd)');
  });
});
