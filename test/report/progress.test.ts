/**
 * Live progress rendered on a fake TTY and off a TTY: every byte written is captured (write and
 * the clock are injected), control codes made visible (ESC as "\e", CR as "\r"), and compared
 * with what the user must see.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { PipelineEvent } from '../../src/pipeline/events.js';
import { createProgress, stderrColor, type ProgressOptions } from '../../src/report/progress.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const OPUS = 'claude-opus-4-1';
const SONNET = 'claude-sonnet-4-5';

const visible = (text: string): string => text.replaceAll('\x1b', '\\e').replaceAll('\r', '\\r');

/**
 * A progress on jest's fake clock (its Date.now is injected as `now`): `advance` moves the clock
 * and fires the redraw timer at each tick on the way, as real time would.
 */
function harness(options: Partial<ProgressOptions> & { tty: boolean }) {
  const out: string[] = [];
  const progress = createProgress({ write: (text) => out.push(text), now: () => Date.now(), color: false, columns: () => 200, ...options });
  return {
    progress,
    emit: (event: PipelineEvent) => progress.report(event),
    advance: (ms: number) => jest.advanceTimersByTime(ms),
    /** Everything written so far, as one string with control codes visible. */
    text: () => visible(out.join('')),
    writes: out,
  };
}

const usage = (model: string, input: number, output: number, cacheWrite: number, cacheRead: number, costUsd: number) => ({
  [model]: {
    inputTokens: input,
    outputTokens: output,
    cacheCreationInputTokens: cacheWrite,
    cacheReadInputTokens: cacheRead,
    cacheCreation5mInputTokens: cacheWrite,
    cacheCreation1hInputTokens: 0,
    costUsd,
  },
});

const planStart: PipelineEvent = {
  type: 'attempt-start',
  taskName: 'auth',
  step: 'plan',
  attempt: 1,
  model: OPUS,
  logPath: 'logs/auth/01-plan.log',
};
const planEstimate: PipelineEvent = {
  type: 'attempt-usage',
  taskName: 'auth',
  step: 'plan',
  attempt: 1,
  usage: usage(OPUS, 2_000, 1, 3_000, 12_000, 0.1234),
};
const planEnd: PipelineEvent = {
  type: 'attempt-end',
  taskName: 'auth',
  step: 'plan',
  attempt: 1,
  outcome: 'passed',
  usage: usage(OPUS, 2_000, 850, 3_000, 12_000, 0.4321),
  usageSource: 'result',
  durationMs: 65_000,
};

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('on a TTY', () => {
  it('redraws one status line in place: task, step, attempt, model, elapsed, tokens so far and cost', () => {
    const h = harness({ tty: true });
    h.emit({ type: 'task-start', taskName: 'auth', taskPath: 'tasks/auth.md', stepCount: 2 });
    h.emit(planStart);
    h.advance(3_000); // three redraws by the timer
    h.emit(planEstimate);
    h.advance(62_000);
    h.emit(planEnd);
    h.emit({ type: 'task-end', taskName: 'auth', phase: 'done', tokenUsage: planEnd.usage });
    h.progress.stop();
    const status = (elapsed: string, counts: string) => `\\r\\e[2K… auth · plan · attempt 1 · ${OPUS} · ${elapsed} · ${counts} (estimate)`;
    const zero = 'in 0 · out 0 · cache w 0 · cache r 0 · $0.0000';
    const estimate = 'in 2,000 · out 1 · cache w 3,000 · cache r 12,000 · $0.1234';
    const redraws = Array.from({ length: 62 }, (_, i) => i + 4).map((s) =>
      status(s < 60 ? `${s}s` : `1m ${String(s - 60).padStart(2, '0')}s`, estimate),
    );
    expect(h.text()).toBe(
      [
        '▶ auth (tasks/auth.md): 2 step(s)\n',
        `  plan · attempt 1 · ${OPUS} · log logs/auth/01-plan.log\n`,
        status('0s', zero),
        status('1s', zero),
        status('2s', zero),
        status('3s', zero),
        status('3s', estimate), // new usage: redrawn at once
        ...redraws,
        '\\r\\e[2K', // cleared before the line that says how the attempt ended
        '  ✔ plan · attempt 1 passed in 1m 05s · in 2,000 · out 850 · cache w 3,000 · cache r 12,000 · $0.4321 (result)\n',
        '■ auth: done · in 2,000 · out 850 · cache w 3,000 · cache r 12,000 · $0.4321\n',
      ].join(''),
    );
  });

  it('cuts the status line to the terminal width, and stop() clears it', () => {
    const h = harness({ tty: true, columns: () => 40 });
    h.emit(planStart);
    h.progress.stop();
    const last = h.writes.at(-2)!;
    expect(visible(last)).toBe('\\r\\e[2K… auth · plan · attempt 1 · claude-opu…');
    expect(last.length - '\r\x1b[2K'.length).toBe(39); // one column spare: the cursor never wraps
    expect(visible(h.writes.at(-1)!)).toBe('\\r\\e[2K');
    h.advance(5_000);
    expect(visible(h.writes.at(-1)!)).toBe('\\r\\e[2K'); // no redraw after stop()
  });

  it('a terminal one column wide gets an empty status line, never one that wraps', () => {
    const h = harness({ tty: true, columns: () => 1 });
    h.emit(planStart);
    h.progress.stop();
    expect(visible(h.writes.at(-2)!)).toBe('\\r\\e[2K');
  });

  it('counts down to a usage-limit reset, then goes back to the step', () => {
    const h = harness({ tty: true });
    const resetsAtMs = T0 + 90_000;
    h.emit({
      ...planEnd,
      outcome: 'rate-limited',
      detail: 'usage limit reached',
      durationMs: 2_000,
      usage: usage(OPUS, 400, 30, 0, 2_000, 0.0031),
    });
    for (let t = 0; t < 3; t++) {
      h.emit({ type: 'usage-limit-wait', taskName: 'auth', step: 'plan', resetsAtMs, remainingMs: resetsAtMs - T0 - t * 1000 });
      h.advance(1_000);
    }
    h.advance(87_000); // the timer keeps the countdown going between events, down to the reset
    h.emit({ ...planStart, attempt: 2 });
    h.progress.stop();
    const wait = (left: string) => `\\r\\e[2K⏳ auth · plan · usage limit: re-running in ${left} (at 2026-03-01T10:01:30.000Z)`;
    const text = h.text();
    expect(
      text.startsWith(
        [
          '  ✖ plan · attempt 1 rate-limited (usage limit reached) in 2s · in 400 · out 30 · cache w 0 · cache r 2,000 · $0.0031 (result)\n',
          wait('1m 30s'), // first event: drawn at once
          wait('1m 29s'), // timer tick
          wait('1m 29s'), // second event
          wait('1m 28s'),
          wait('1m 28s'),
          wait('1m 27s'),
          wait('1m 26s'),
        ].join(''),
      ),
    ).toBe(true);
    expect(text).toContain(`${wait('2s') + wait('1s') + wait('0s')}\\r\\e[2K  plan · attempt 2 · ${OPUS} · log logs/auth/01-plan.log\n`);
    expect(
      text.endsWith(
        `\\r\\e[2K… auth · plan · attempt 2 · ${OPUS} · 0s · in 0 · out 0 · cache w 0 · cache r 0 · $0.0000 (estimate)\\r\\e[2K`,
      ),
    ).toBe(true);
  });
});

describe('off a TTY', () => {
  it('writes plain lines only: step start and end, and the status every 30 s (even when the stream is silent)', () => {
    const h = harness({ tty: false });
    h.emit({ type: 'task-start', taskName: 'auth', taskPath: 'tasks/auth.md', stepCount: 2 });
    h.emit({ type: 'step-skip', taskName: 'auth', step: 'plan', reason: 'done in an earlier run' });
    h.emit({ ...planStart, step: 'implement', model: SONNET, logPath: 'logs/auth/02-implement.log' });
    h.advance(10_000);
    h.emit({ ...planEstimate, step: 'implement', usage: usage(SONNET, 900, 1, 2_000, 40_000, 0.0302) }); // not yet 30 s: nothing
    h.advance(20_000); // 30 s: the timer prints, without any event
    h.advance(29_000);
    h.emit({ ...planEstimate, step: 'implement', usage: usage(SONNET, 1_800, 2, 2_000, 80_000, 0.045) }); // 59 s: nothing
    h.advance(1_000); // 60 s
    h.emit({
      ...planEnd,
      step: 'implement',
      outcome: 'check-failed',
      detail: 'check failed (exit 1)',
      durationMs: 61_000,
      usage: usage(SONNET, 1_800, 700, 2_000, 80_000, 0.0512),
    });
    h.advance(60_000); // nothing runs: nothing more
    h.emit({
      type: 'task-end',
      taskName: 'auth',
      phase: 'failed',
      error: 'check failed (exit 1)',
      tokenUsage: usage(SONNET, 1_800, 700, 2_000, 80_000, 0.0512),
    });
    h.progress.stop();
    expect(h.text()).toBe(
      [
        '▶ auth (tasks/auth.md): 2 step(s)',
        '  · plan: done in an earlier run',
        `  implement · attempt 1 · ${SONNET} · log logs/auth/02-implement.log`,
        `  … auth · implement · attempt 1 · ${SONNET} · 30s · in 900 · out 1 · cache w 2,000 · cache r 40,000 · $0.0302 (estimate)`,
        `  … auth · implement · attempt 1 · ${SONNET} · 1m 00s · in 1,800 · out 2 · cache w 2,000 · cache r 80,000 · $0.0450 (estimate)`,
        '  ✖ implement · attempt 1 check-failed (check failed (exit 1)) in 1m 01s · in 1,800 · out 700 · cache w 2,000 · cache r 80,000 · $0.0512 (result)',
        '■ auth: failed (check failed (exit 1)) · in 1,800 · out 700 · cache w 2,000 · cache r 80,000 · $0.0512',
        '',
      ].join('\n'),
    );
    expect(h.writes.join('')).not.toContain('\x1b');
    expect(h.writes.join('')).not.toContain('\r');
  });

  it('on a usage-limit wait: a line at once, then one every 30 s until the step runs again', () => {
    const h = harness({ tty: false });
    const resetsAtMs = T0 + 65_000;
    for (let t = 0; t < 65; t++) {
      h.emit({ type: 'usage-limit-wait', taskName: 'auth', step: 'plan', resetsAtMs, remainingMs: resetsAtMs - T0 - t * 1000 });
      h.advance(1_000);
    }
    h.emit({ ...planStart, attempt: 2 });
    h.progress.stop();
    const wait = (left: string) => `  ⏳ auth · plan · usage limit: re-running in ${left} (at 2026-03-01T10:01:05.000Z)`;
    expect(h.text()).toBe(
      [wait('1m 05s'), wait('35s'), wait('5s'), `  plan · attempt 2 · ${OPUS} · log logs/auth/01-plan.log`, ''].join('\n'),
    );
  });
});

describe('colour', () => {
  it('colours marks and headings when asked, and never the status line', () => {
    const h = harness({ tty: true, color: true });
    h.emit({ type: 'task-start', taskName: 'auth', taskPath: 'tasks/auth.md', stepCount: 1 });
    h.emit(planStart);
    h.emit(planEnd);
    h.emit({ type: 'task-end', taskName: 'auth', phase: 'failed', tokenUsage: {} });
    const text = h.text();
    expect(text).toContain('\\e[1m▶ auth (tasks/auth.md): 1 step(s)\\e[22m\n');
    expect(text).toContain('  \\e[32m✔\\e[39m plan · attempt 1 passed');
    expect(text).toContain('\\e[31m■ auth: failed');
    expect(text).toContain(`\\r\\e[2K… auth · plan · attempt 1 · ${OPUS} · 0s`);
    expect(text).not.toMatch(/\\e\[\d+m…/);
  });

  it('NO_COLOR turns colour off whatever the terminal supports', () => {
    expect(stderrColor({ NO_COLOR: '1' })).toBe(false);
    const h = harness({ tty: true, color: stderrColor({ NO_COLOR: '1' }) });
    h.emit({ type: 'task-start', taskName: 'auth', taskPath: 'tasks/auth.md', stepCount: 1 });
    h.emit(planStart);
    h.emit(planEnd);
    expect(h.text()).not.toMatch(/\\e\[\d+m/);
  });
});
