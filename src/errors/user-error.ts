/** Exit codes of the claude-project command (README: "Exit codes"). */
export const EXIT = {
  ok: 0,
  failed: 1,
  badInput: 2,
  usageLimited: 3,
  /** reconcile: billed data not in yet, or the Admin API unreachable; try again later (EX_TEMPFAIL). */
  tryLater: 75,
  budgetExceeded: 4,
  interrupted: 130,
} as const;

/**
 * A problem with what the user gave us (config, task file, flags, an unreadable state file):
 * reported as its message alone, with no stack, before anything runs.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.badInput,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
