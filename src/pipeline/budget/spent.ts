import { UserError } from '../../errors/user-error.js';
import type { StepState, TaskState } from '../../state/task-state.js';
import type { ModelTokenUsage } from '../../usage/types.js';
import type { TaskCosts } from './task-costs.js';

/** What has been spent in each scope, in USD. */
export interface Spent {
  sequence: number;
  task: number;
  step: number;
}

/** The cost of a usage; a cost that is not a number (an unknown price) makes a cap uncheckable. */
export function knownCostOf(usage: ModelTokenUsage, where: string): number {
  let sum = 0;
  for (const [model, counts] of Object.entries(usage)) {
    if (typeof counts.costUsd !== 'number' || !Number.isFinite(counts.costUsd)) {
      throw new UserError(`${where}: the cost of ${model} is unknown, so a budget cap cannot be checked.`);
    }
    sum += counts.costUsd;
  }
  return sum;
}

export function stepCost(step: StepState, file: string): number {
  return step.attempts.reduce(
    (sum, attempt) => sum + knownCostOf(attempt.usage, `${file}: step ${step.name} attempt ${attempt.attempt}`),
    0,
  );
}

export function taskCost(file: string, task: TaskState): number {
  return task.steps.reduce((sum, step) => sum + stepCost(step, file), 0);
}

/** Spent per scope: the sequence scope is the running task (`own`) and every other task state of the folder. */
export function spentIn(own: { file: string; state: TaskState }, others: TaskCosts[], stepName: string): Spent {
  const task = taskCost(own.file, own.state);
  const step = own.state.steps.find((s) => s.name === stepName);
  return {
    sequence: others.reduce((sum, other) => {
      if (other.cost === undefined) throw new UserError(other.unknown ?? 'a task cost is unknown, so a budget cap cannot be checked.');
      return sum + other.cost;
    }, task),
    task,
    step: step ? stepCost(step, own.file) : 0,
  };
}
