import type { UsageLimitConfig } from '../config/types.js';
import type { AttemptOutcome } from '../state/task-state.js';

/** When the reset time is not said, wait this long before trying again. */
export const UNKNOWN_RESET_WAIT_MS = 5 * 60_000;

/**
 * What a step does after an attempt: it is done, runs again, waits for a usage-limit reset, stops
 * at a budget cap (the caller names the cap), or stops. `resetAhead`: the wait is for a reset
 * time still to come (not the floor after one already past, nor the guess for one not said).
 */
export type AfterAttempt =
  | { next: 'done' }
  | { next: 'again' }
  | { next: 'wait'; untilMs: number; resetAhead: boolean }
  | { next: 'budget' }
  | { next: 'stop'; end: { status: 'failed' | 'rate-limited'; error: string } | { status: 'interrupted' } };

export interface AttemptFacts {
  outcome: AttemptOutcome;
  error: string | undefined;
  /** When the usage limit resets (rate-limited attempts); undefined: not said. */
  resetsAtMs: number | undefined;
  /** Failed attempts of the step so far, this one included. */
  failures: number;
  /** Re-runs a failing step gets (`check.retries`). */
  retries: number;
  /** Usage-limit re-runs of the step so far, in a row, that waited for no reset still to come. */
  rerunsWithoutReset: number;
  rateLimit: UsageLimitConfig;
  nowMs: number;
}

function unreachable(outcome: never): never {
  throw new Error(`no decision for the attempt outcome ${JSON.stringify(outcome)}`);
}

/** Whether an outcome counts against `check.retries`. */
export function isFailure(outcome: AttemptOutcome): boolean {
  switch (outcome) {
    case 'check-failed':
    case 'claude-failed':
    case 'timeout':
    case 'failed':
    // never the outcome of a finished attempt; were it one, it would count
    case 'unfinished':
      return true;
    case 'passed':
    case 'interrupted':
    case 'rate-limited':
    case 'budget':
      return false;
    default:
      return unreachable(outcome);
  }
}

/** The decision after an attempt, from its facts alone (no clock, no state: the caller acts on it). */
export function afterAttempt(facts: AttemptFacts): AfterAttempt {
  const { outcome } = facts;
  switch (outcome) {
    case 'passed':
      return { next: 'done' };
    case 'interrupted':
      return { next: 'stop', end: { status: 'interrupted' } };
    case 'budget':
      return { next: 'budget' };
    case 'rate-limited':
      return afterUsageLimit(facts);
    case 'check-failed':
    case 'claude-failed':
    case 'timeout':
    case 'failed':
    case 'unfinished':
      return facts.failures > facts.retries
        ? { next: 'stop', end: { status: 'failed', error: facts.error ?? outcome } }
        : { next: 'again' };
    default:
      return unreachable(outcome);
  }
}

/**
 * Wait for a usage-limit reset (plus the margin), unless waiting is off or the reset is too far.
 * Every such wait is at least `minWaitSeconds` (a reset past, not said, or always a moment ahead
 * would otherwise re-run the step at once, each time billed); and a step re-runs only `maxReruns`
 * times in a row after limits whose reset is not still to come: a limit that never says one stops.
 */
function afterUsageLimit(facts: AttemptFacts): AfterAttempt {
  const { nowMs, resetsAtMs } = facts;
  const { wait, maxWaitMinutes, marginSeconds, minWaitSeconds, maxReruns } = facts.rateLimit;
  const resetAhead = resetsAtMs !== undefined && resetsAtMs > nowMs;
  const floorMs = nowMs + minWaitSeconds * 1000;
  const untilMs =
    resetsAtMs === undefined ? Math.max(floorMs, nowMs + UNKNOWN_RESET_WAIT_MS) : Math.max(floorMs, resetsAtMs + marginSeconds * 1000);
  const resets = resetsAtMs === undefined ? 'at an unknown time' : `at ${new Date(resetsAtMs).toISOString()}`;
  const stop = (why: string): AfterAttempt => ({
    next: 'stop',
    end: { status: 'rate-limited', error: `usage limit reached; it resets ${resets}${why}` },
  });
  if (!wait) return stop(' (rateLimit.wait is false)');
  if (untilMs - nowMs > maxWaitMinutes * 60_000) return stop(`, beyond rateLimit.maxWaitMinutes (${maxWaitMinutes})`);
  if (!resetAhead && facts.rerunsWithoutReset >= maxReruns) {
    const past = resetsAtMs === undefined ? '' : ', already past';
    return stop(
      `${past}; the step was re-run ${facts.rerunsWithoutReset} time(s) in a row without a reset time still to come ` +
        `(rateLimit.maxReruns is ${maxReruns})`,
    );
  }
  return { next: 'wait', untilMs, resetAhead };
}
