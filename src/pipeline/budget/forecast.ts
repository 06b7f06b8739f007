import type { Forecast } from '../../state/budget-record.js';
import type { TaskState } from '../../state/task-state.js';
import { roundCost } from '../../usage/math.js';
import { costsOf, type TaskCosts } from './costs.js';

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
  return forecastOf(
    states.map(({ state }) => costsOf(state)),
    stepName,
  );
}

/** `forecastStep` from the tasks' costs. */
export function forecastOf(tasks: TaskCosts[], stepName: string): Forecast {
  return forecastFromCosts(tasks.flatMap((task) => task.finished.get(stepName) ?? []));
}
