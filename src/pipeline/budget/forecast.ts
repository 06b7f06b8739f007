import type { Forecast } from '../../state/budget-record.js';
import type { AttemptOutcome, TaskState } from '../../state/task-state.js';
import { roundCost } from '../../usage/math.js';
import { costOf } from './spent.js';

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
export function forecastStep(states: Array<{ file: string; state: TaskState }>, stepName: string): Forecast {
  const costs = states.flatMap(({ file, state }) =>
    state.steps
      .filter((step) => step.name === stepName)
      .flatMap((step) => step.attempts.filter((a) => FINISHED.has(a.outcome)).map((a) => costOf(a.usage, `${file}: step ${stepName} attempt ${a.attempt}`))),
  );
  return forecastFromCosts(costs);
}
