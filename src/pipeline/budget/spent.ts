import path from 'node:path';
import { UserError } from '../../errors/user-error.js';
import { taskStateNames } from '../../state/load-states.js';
import { readStateFile } from '../../state/read-state.js';
import { TaskStateSchema, type StepState, type TaskState } from '../../state/task-state.js';
import type { ModelTokenUsage } from '../../usage/types.js';

/** What has been spent in each scope, in USD. */
export interface Spent {
  sequence: number;
  task: number;
  step: number;
}

/**
 * Every task state of the state folder, as it is now; the running task's own state is taken as
 * given (it is the freshest). Files that vanish while read (moved aside) are left out; one that
 * does not parse or is not a task state is an error when a cap depends on it (`strict`), else
 * left out.
 */
export async function readFolderStates(
  statePath: string,
  own: { file: string; state: TaskState },
  strict: boolean,
): Promise<Array<{ file: string; state: TaskState }>> {
  const states: Array<{ file: string; state: TaskState }> = [own];
  for (const name of await taskStateNames(statePath)) {
    const file = path.join(statePath, name);
    if (file === own.file) continue;
    const state = await readStateFile(file, TaskStateSchema).catch((error: unknown) => {
      if (strict) throw error;
      return undefined;
    });
    if (state) states.push({ file, state });
  }
  return states;
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

function taskCost(file: string, task: TaskState): number {
  return task.steps.reduce((sum, step) => sum + stepCost(step, file), 0);
}

/** Spent per scope: the sequence scope is every task of the state folder; `states[0]` is the running task. */
export function spentIn(states: Array<{ file: string; state: TaskState }>, stepName: string): Spent {
  const [own] = states;
  const step = own?.state.steps.find((s) => s.name === stepName);
  return {
    sequence: states.reduce((sum, { file, state }) => sum + taskCost(file, state), 0),
    task: own ? taskCost(own.file, own.state) : 0,
    step: own && step ? stepCost(step, own.file) : 0,
  };
}
