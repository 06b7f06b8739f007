import { roundCost } from '../../usage/math.js';
import { attemptCostOf, costOf, stepCostOf, unpricedModelsOf } from '../../state/cost-of.js';
import type { AttemptOutcome, TaskState } from '../../state/task-state.js';

/** Attempts whose claude call ran to its end: their cost is what a whole call of the step costs. */
const FINISHED: ReadonlySet<AttemptOutcome> = new Set(['passed', 'check-failed']);

/** What budgets need of a task state: far less than the state, so a folder's worth can be kept. */
export interface TaskCosts {
  /** By step name, the costs of its finished attempts whose cost is known: the forecast's samples. */
  finished: Map<string, number[]>;
  /** What the task has cost; null when an attempt's cost is unknown (`unpriced` names the models). */
  cost: number | null;
  unpriced: string[];
}

export function costsOf(state: TaskState): TaskCosts {
  const finished = new Map<string, number[]>();
  for (const step of state.steps) {
    const costs = step.attempts
      .filter((a) => FINISHED.has(a.outcome))
      .map(attemptCostOf)
      .filter((cost): cost is number => cost !== null);
    finished.set(step.name, [...(finished.get(step.name) ?? []), ...costs]);
  }
  const cost = costOf(state);
  return { finished, cost, unpriced: cost === null ? unpricedModelsOf(state) : [] };
}

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
