import type { RateLimitConfig } from '../config/types.js';
import type { AttemptOutcome } from '../state/task-state.js';

/** When the reset time is not said, wait this long before trying again. */
export const UNKNOWN_RESET_WAIT_MS = 5 * 60_000;

/** What a step does after an attempt: it is done, runs again, waits for a usage-limit reset, or stops. */
export type AfterAttempt =
  | { next: 'done' }
  | { next: 'again' }
  | { next: 'wait'; untilMs: number }
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
  rateLimit: RateLimitConfig;
  nowMs: number;
}

/** Whether an outcome counts against `check.retries`. */
export function isFailure(outcome: AttemptOutcome): boolean {
  return !['passed', 'interrupted', 'rate-limited', 'budget'].includes(outcome);
}

/** The decision after an attempt, from its facts alone (no clock, no state: the caller acts on it). */
export function afterAttempt(facts: AttemptFacts): AfterAttempt {
  switch (facts.outcome) {
    case 'passed':
      return { next: 'done' };
    case 'interrupted':
      return { next: 'stop', end: { status: 'interrupted' } };
    case 'rate-limited':
      return afterUsageLimit(facts.rateLimit, facts.nowMs, facts.resetsAtMs);
    default:
      return facts.failures > facts.retries
        ? { next: 'stop', end: { status: 'failed', error: facts.error ?? facts.outcome } }
        : { next: 'again' };
  }
}

/** Wait for a usage-limit reset (plus the margin), unless waiting is off or the reset is too far. */
function afterUsageLimit(rateLimit: RateLimitConfig, nowMs: number, resetsAtMs: number | undefined): AfterAttempt {
  const { wait, maxWaitMinutes, marginSeconds } = rateLimit;
  const untilMs = resetsAtMs === undefined ? nowMs + UNKNOWN_RESET_WAIT_MS : Math.max(nowMs, resetsAtMs + marginSeconds * 1000);
  const resets = resetsAtMs === undefined ? 'at an unknown time' : `at ${new Date(resetsAtMs).toISOString()}`;
  const stop = (why: string): AfterAttempt => ({
    next: 'stop',
    end: { status: 'rate-limited', error: `usage limit reached; it resets ${resets}${why}` },
  });
  if (!wait) return stop(' (rateLimit.wait is false)');
  if (untilMs - nowMs > maxWaitMinutes * 60_000) return stop(`, beyond rateLimit.maxWaitMinutes (${maxWaitMinutes})`);
  return { next: 'wait', untilMs };
}
