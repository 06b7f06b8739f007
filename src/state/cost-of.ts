import { roundCost } from '../usage/math.js';
import type { ModelTokenUsage } from '../usage/types.js';
import type { AttemptState, StepState, TaskState } from './task-state.js';

/**
 * What a task, step or attempt has cost, the one way every caller counts it (budgets, reports,
 * merge, reconcile): the sum of its attempts' costs, null when any part is unknown — an
 * unknown is never counted as 0. Computed from the attempts, not the recorded totals, so a
 * state file whose totals were edited or written by an older version still counts right.
 */
export function costOf(state: TaskState): number | null {
  return sumOf(state.steps.map(stepCostOf));
}

export function stepCostOf(step: StepState): number | null {
  return sumOf(step.attempts.map(attemptCostOf));
}

export function attemptCostOf(attempt: AttemptState): number | null {
  return usageCostOf(attempt.usage);
}

export function usageCostOf(usage: ModelTokenUsage): number | null {
  return sumOf(Object.values(usage).map((u) => u.costUsd));
}

/** The models whose cost is unknown anywhere in the task, each once. */
export function unpricedModelsOf(state: TaskState): string[] {
  const models = state.steps.flatMap((step) =>
    step.attempts.flatMap((attempt) =>
      Object.entries(attempt.usage)
        .filter(([, u]) => u.costUsd === null)
        .map(([model]) => model),
    ),
  );
  return [...new Set(models)];
}

function sumOf(costs: Array<number | null>): number | null {
  let sum = 0;
  for (const cost of costs) {
    if (cost === null) return null;
    sum += cost;
  }
  return roundCost(sum);
}
