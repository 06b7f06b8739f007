import { EXIT } from '../errors/user-error.js';
import type { TaskPhase } from '../state/task-state.js';

/** How a step (and so its task) can end. */
export type EndStatus = 'done' | 'failed' | 'interrupted' | 'rate-limited' | 'budget-exceeded';

/**
 * The one table from a step's end to the phase its step and task are left in and the exit code
 * of the command. A usage limit that may not be waited for leaves the task failed (it can be run
 * again), with its own exit code.
 */
export const STEP_ENDS = {
  done: { phase: 'done', exitCode: EXIT.ok },
  failed: { phase: 'failed', exitCode: EXIT.failed },
  'rate-limited': { phase: 'failed', exitCode: EXIT.usageLimited },
  interrupted: { phase: 'interrupted', exitCode: EXIT.interrupted },
  'budget-exceeded': { phase: 'budget-exceeded', exitCode: EXIT.budgetExceeded },
} as const satisfies Record<EndStatus, { phase: TaskPhase; exitCode: number }>;

/** The phase a finished run is left in. */
export type EndPhase = (typeof STEP_ENDS)[EndStatus]['phase'];

/** The phase a run that ends with `exitCode` leaves its sequence in (any other code, bad input say: failed). */
export function phaseOfExitCode(exitCode: number): EndPhase {
  return Object.values(STEP_ENDS).find((end) => end.exitCode === exitCode)?.phase ?? 'failed';
}
