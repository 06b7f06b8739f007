import type { Forecast } from '../../state/budget-record.js';
import type { AttemptOutcome, TaskState } from '../../state/task-state.js';
import { roundCost } from '../../usage/math.js';
import type { ModelTokenUsage } from '../../usage/types.js';

/** Attempts whose claude call ran to its end: their cost is what a whole call of the step costs. */
const FINISHED: ReadonlySet<AttemptOutcome> = new Set(['passed', 'check-failed']);

export const NO_FORECAST: Forecast = { usd: null, maxUsd: null, basis: 'none', samples: 0 };

/** The median and maximum of the costs, or no forecast when there are none. */
export function forecastFromCosts(costs: number[]): Forecast {
  if (costs.length === 0) return NO_FORECAST;
  const sorted = [...costs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { usd: roundCost(median), maxUsd: roundCost(sorted[sorted.length - 1]!), basis: 'earlier-attempts', samples: sorted.length };
}

/** A step's forecast from the same step's finished attempts in every task state of the folder. */
export function forecastStep(states: Array<{ state: TaskState }>, stepName: string): Forecast {
  const costs = states.flatMap(({ state }) =>
    state.steps
      .filter((step) => step.name === stepName)
      .flatMap((step) => step.attempts.filter((a) => FINISHED.has(a.outcome)).map((a) => knownCost(a.usage))),
  );
  return forecastFromCosts(costs.filter((cost): cost is number => cost !== undefined));
}

/** An attempt whose cost is not known (a model without a price) is no sample. */
function knownCost(usage: ModelTokenUsage): number | undefined {
  const costs = Object.values(usage).map((u) => u.costUsd as unknown);
  return costs.every((c) => typeof c === 'number' && Number.isFinite(c)) ? (costs as number[]).reduce((a, b) => a + b, 0) : undefined;
}
