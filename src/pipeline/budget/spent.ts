import { roundCost } from '../../usage/math.js';
import { stepCostOf } from '../../state/cost-of.js';
import type { TaskState } from '../../state/task-state.js';
import { costsOf, type TaskCosts } from './task-costs.js';

/** What has been spent in each scope, in USD; null where a part's cost is unknown. */
export interface Spent {
  sequence: number | null;
  task: number | null;
  step: number | null;
  /** The models whose unknown cost made a scope unknown. */
  unpriced: string[];
}

/** Spent per scope: the sequence scope is the running task (`own`) and every other task state of the folder. */
export function spentIn(own: TaskState, others: TaskCosts[], stepName: string): Spent {
  const task = costsOf(own);
  const step = own.steps.find((s) => s.name === stepName);
  const all = [task, ...others];
  const sequence = all.every((t) => t.cost !== null) ? roundCost(all.reduce((sum, t) => sum + (t.cost ?? 0), 0)) : null;
  return {
    sequence,
    task: task.cost,
    step: step ? stepCostOf(step) : 0,
    unpriced: [...new Set(all.flatMap((t) => t.unpriced))],
  };
}
