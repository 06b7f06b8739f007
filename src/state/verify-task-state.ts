import { compareUsage } from '../usage/compare.js';
import { CorruptStateError } from './atomic-json.js';
import { checkState } from './read-state.js';
import { TaskStateSchema, withTotals, type TaskState } from './task-state.js';

/**
 * A task state read from a file someone else wrote (another machine's shard): it must parse, have
 * a task state's shape, and hold totals that are the sum of its attempts.
 */
export function verifiedTaskState(file: string, text: string): TaskState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptStateError(file, (error as Error).message);
  }
  const state = checkState(file, value, TaskStateSchema);
  const recomputed = withTotals(state);
  const stepDrift = state.steps.flatMap((step, i) => compareUsage(`steps[${i}].usage`, step.usage, recomputed.steps[i]!.usage));
  const drift = [...stepDrift, ...compareUsage('tokenUsage', state.tokenUsage, recomputed.tokenUsage)][0];
  if (drift) {
    throw new CorruptStateError(
      file,
      `${drift.where} ${drift.model} ${drift.field} is ${drift.state}, but its attempts add up to ${drift.log}`,
      true,
    );
  }
  return state;
}
