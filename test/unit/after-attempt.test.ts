import { afterAttempt, isFailure, type AttemptFacts } from '../../src/pipeline/after-attempt.js';
import { parseLimitMessage } from '../../src/claude/usage-limit.js';
import { ATTEMPT_OUTCOMES } from '../../src/state/task-state.js';

const NOW = Date.parse('2026-11-30T13:00:00Z');
const facts = (over: Partial<AttemptFacts>): AttemptFacts => ({
  outcome: 'passed',
  error: undefined,
  resetsAtMs: undefined,
  failures: 0,
  retries: 0,
  rerunsWithoutReset: 0,
  rateLimit: { wait: true, maxWaitMinutes: 360, marginSeconds: 60, minWaitSeconds: 60, maxReruns: 5 },
  nowMs: NOW,
  ...over,
});

describe('what a step does after an attempt', () => {
  it('is done when the attempt passed, and stops when it was interrupted', () => {
    expect(afterAttempt(facts({ outcome: 'passed' }))).toEqual({ next: 'done' });
    expect(afterAttempt(facts({ outcome: 'interrupted' }))).toEqual({ next: 'stop', end: { status: 'interrupted' } });
  });

  it('runs a failed step again while retries are left, then stops with the failure', () => {
    const failed = { outcome: 'check-failed' as const, error: 'check failed (exit 1)', retries: 2 };
    expect(afterAttempt(facts({ ...failed, failures: 1 }))).toEqual({ next: 'again' });
    expect(afterAttempt(facts({ ...failed, failures: 2 }))).toEqual({ next: 'again' });
    expect(afterAttempt(facts({ ...failed, failures: 3 }))).toEqual({
      next: 'stop',
      end: { status: 'failed', error: 'check failed (exit 1)' },
    });
    expect(afterAttempt(facts({ outcome: 'timeout', failures: 1 }))).toEqual({ next: 'stop', end: { status: 'failed', error: 'timeout' } });
  });

  it('stops at a budget cap by itself, never running again, whatever the retries', () => {
    expect(afterAttempt(facts({ outcome: 'budget', failures: 0, retries: 3 }))).toEqual({ next: 'budget' });
  });

  it('decides every outcome there is: none falls through to a re-run by default', () => {
    for (const outcome of ATTEMPT_OUTCOMES) {
      const after = afterAttempt(facts({ outcome, failures: isFailure(outcome) ? 1 : 0, retries: 0 }));
      expect(after.next).not.toBe('again');
    }
    expect(() => afterAttempt(facts({ outcome: 'new-outcome' as never }))).toThrow(/new-outcome/);
    expect(() => isFailure('new-outcome' as never)).toThrow(/new-outcome/);
  });

  it('counts failures, not usage limits, interrupts, passes or budget stops, against the retries', () => {
    expect(['check-failed', 'claude-failed', 'timeout', 'failed'].every((o) => isFailure(o as never))).toBe(true);
    expect(['passed', 'interrupted', 'rate-limited', 'budget'].some((o) => isFailure(o as never))).toBe(false);
  });

  it('waits for a usage-limit reset plus the margin, or five minutes when the reset is not said', () => {
    const resetsAtMs = Date.parse('2026-11-30T13:10:00Z');
    expect(afterAttempt(facts({ outcome: 'rate-limited', resetsAtMs }))).toEqual({
      next: 'wait',
      untilMs: Date.parse('2026-11-30T13:11:00Z'),
      resetAhead: true,
    });
    expect(afterAttempt(facts({ outcome: 'rate-limited' }))).toEqual({
      next: 'wait',
      untilMs: Date.parse('2026-11-30T13:05:00Z'),
      resetAhead: false,
    });
  });

  it('waits at least rateLimit.minWaitSeconds after a reset already past (clock skew, a stale event), never re-running at once', () => {
    expect(afterAttempt(facts({ outcome: 'rate-limited', resetsAtMs: NOW - 600_000 }))).toEqual({
      next: 'wait',
      untilMs: NOW + 60_000,
      resetAhead: false,
    });
    const floor = { wait: true, maxWaitMinutes: 360, marginSeconds: 60, minWaitSeconds: 120, maxReruns: 5 };
    expect(afterAttempt(facts({ outcome: 'rate-limited', resetsAtMs: NOW - 40_000, rateLimit: floor }))).toEqual({
      next: 'wait',
      untilMs: NOW + 120_000,
      resetAhead: false,
    });
    // a reset that came while claude ran, with no margin: still the floor, never a re-run at once
    expect(afterAttempt(facts({ outcome: 'rate-limited', resetsAtMs: NOW - 10_000, rateLimit: { ...floor, marginSeconds: 0 } }))).toEqual({
      next: 'wait',
      untilMs: NOW + 120_000,
      resetAhead: false,
    });
    // a reset always a moment ahead, with no margin: the floor too (it re-ran twenty times in 40 s, each billed)
    expect(afterAttempt(facts({ outcome: 'rate-limited', resetsAtMs: NOW + 2_000, rateLimit: { ...floor, marginSeconds: 0 } }))).toEqual({
      next: 'wait',
      untilMs: NOW + 120_000,
      resetAhead: true,
    });
    // a reset just past whose margin reaches beyond the floor waits for the margin
    const margin = { wait: true, maxWaitMinutes: 360, marginSeconds: 120, minWaitSeconds: 60, maxReruns: 5 };
    expect(afterAttempt(facts({ outcome: 'rate-limited', resetsAtMs: NOW - 31_000, rateLimit: margin }))).toEqual({
      next: 'wait',
      untilMs: NOW + 89_000,
      resetAhead: false,
    });
  });

  it('stops (exit 3, saying why) after rateLimit.maxReruns re-runs in a row without a reset still to come', () => {
    const past = { outcome: 'rate-limited' as const, resetsAtMs: NOW - 600_000 };
    expect(afterAttempt(facts({ ...past, rerunsWithoutReset: 4 }))).toMatchObject({ next: 'wait' });
    expect(afterAttempt(facts({ ...past, rerunsWithoutReset: 5 }))).toEqual({
      next: 'stop',
      end: {
        status: 'rate-limited',
        error:
          'usage limit reached; it resets at 2026-11-30T12:50:00.000Z, already past; the step was re-run 5 time(s) in a row ' +
          'without a reset time still to come (rateLimit.maxReruns is 5)',
      },
    });
    expect(afterAttempt(facts({ outcome: 'rate-limited', rerunsWithoutReset: 5 }))).toMatchObject({
      next: 'stop',
      end: { status: 'rate-limited', error: expect.stringMatching(/unknown time; .*rateLimit\.maxReruns is 5/) },
    });
    // a reset still to come is a real wait: it is not bounded by the count
    expect(afterAttempt(facts({ outcome: 'rate-limited', resetsAtMs: NOW + 60_000, rerunsWithoutReset: 5 }))).toMatchObject({
      next: 'wait',
      resetAhead: true,
    });
  });

  it('stops on a usage limit when waiting is off or the reset is beyond maxWaitMinutes, saying when it resets', () => {
    const resetsAtMs = Date.parse('2026-11-30T20:00:00Z');
    expect(afterAttempt(facts({ outcome: 'rate-limited', resetsAtMs }))).toEqual({
      next: 'stop',
      end: {
        status: 'rate-limited',
        error: 'usage limit reached; it resets at 2026-11-30T20:00:00.000Z, beyond rateLimit.maxWaitMinutes (360)',
      },
    });
    const off = { wait: false, maxWaitMinutes: 360, marginSeconds: 60, minWaitSeconds: 60, maxReruns: 5 };
    expect(afterAttempt(facts({ outcome: 'rate-limited', rateLimit: off }))).toEqual({
      next: 'stop',
      end: { status: 'rate-limited', error: 'usage limit reached; it resets at an unknown time (rateLimit.wait is false)' },
    });
  });
});

describe('the reset time of "You\'ve hit your limit · resets …"', () => {
  const resets = (text: string, now: string): string | undefined => {
    const at = parseLimitMessage(`You've hit your limit · resets ${text}`, Date.parse(now))?.resetsAtMs;
    return at === undefined ? undefined : new Date(at).toISOString();
  };

  it('reads 12am as midnight and 12pm as noon, the next one to come', () => {
    expect(resets('12am (UTC)', '2026-11-30T13:00:00Z')).toBe('2026-12-01T00:00:00.000Z');
    expect(resets('12pm (UTC)', '2026-11-30T13:00:00Z')).toBe('2026-12-01T12:00:00.000Z');
    expect(resets('12:30pm (UTC)', '2026-11-30T12:00:00Z')).toBe('2026-11-30T12:30:00.000Z');
  });

  // Rome: CET (UTC+1) until 2026-03-29 01:00Z, when clocks go from 02:00 to 03:00 CEST (UTC+2),
  // and back from 03:00 CEST to 02:00 CET at 2026-10-25 01:00Z.
  it("across daylight saving time: a wall-clock time that does not exist that day is the next day's", () => {
    expect(resets('2:30am (Europe/Rome)', '2026-03-28T23:00:00Z')).toBe('2026-03-30T00:30:00.000Z');
    expect(resets('3am (Europe/Rome)', '2026-03-28T23:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
  });

  it('across the autumn change: a wall-clock time that happens twice is its first', () => {
    expect(resets('2:30am (Europe/Rome)', '2026-10-24T22:00:00Z')).toBe('2026-10-25T00:30:00.000Z');
  });
});
