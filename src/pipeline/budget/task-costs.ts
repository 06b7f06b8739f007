import { UserError } from '../../errors/user-error.js';
import type { AttemptOutcome, TaskState } from '../../state/task-state.js';
import type { ModelTokenUsage } from '../../usage/types.js';
import { taskCost } from './spent.js';

/** Attempts whose claude call ran to its end: their cost is what a whole call of the step costs. */
const FINISHED: ReadonlySet<AttemptOutcome> = new Set(['passed', 'check-failed']);

/** What budgets need of a task state: far less than the state, so a folder's worth can be kept. */
export interface TaskCosts {
  /** By step name, the costs of its finished attempts whose cost is known: the forecast's samples. */
  finished: Map<string, number[]>;
  /** What the task has cost; undefined when an attempt's cost is unknown (`unknown` says which). */
  cost: number | undefined;
  unknown?: string;
}

export function costsOf(file: string, state: TaskState): TaskCosts {
  const finished = new Map<string, number[]>();
  for (const step of state.steps) {
    const costs = step.attempts
      .filter((a) => FINISHED.has(a.outcome))
      .map((a) => knownCost(a.usage))
      .filter((cost): cost is number => cost !== undefined);
    finished.set(step.name, [...(finished.get(step.name) ?? []), ...costs]);
  }
  try {
    return { finished, cost: taskCost(file, state) };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { finished, cost: undefined, unknown: error.message };
  }
}

/** An attempt whose cost is not known (a model without a price) is no sample. */
function knownCost(usage: ModelTokenUsage): number | undefined {
  const costs = Object.values(usage).map((u) => u.costUsd as unknown);
  return costs.every((c) => typeof c === 'number' && Number.isFinite(c)) ? (costs as number[]).reduce((a, b) => a + b, 0) : undefined;
}
