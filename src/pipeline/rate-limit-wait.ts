import type { RunContext } from './run-context.js';

/** When the reset time is not said, wait this long before trying again. */
export const UNKNOWN_RESET_WAIT_MS = 5 * 60_000;

export type WaitDecision = { wait: true; untilMs: number } | { wait: false; reason: string };

/** Whether to wait for a usage-limit reset, and until when (README: "Resume, retries, usage limits"). */
export function decideRateLimitWait(ctx: RunContext, resetsAtMs: number | undefined): WaitDecision {
  const { wait, maxWaitMinutes, marginSeconds } = ctx.config.rateLimit;
  const now = ctx.now();
  const untilMs = resetsAtMs === undefined ? now + UNKNOWN_RESET_WAIT_MS : Math.max(now, resetsAtMs + marginSeconds * 1000);
  const resets = resetsAtMs === undefined ? 'at an unknown time' : `at ${new Date(resetsAtMs).toISOString()}`;
  if (!wait) return { wait: false, reason: `usage limit reached; it resets ${resets} (rateLimit.wait is false)` };
  if (untilMs - now > maxWaitMinutes * 60_000) {
    return { wait: false, reason: `usage limit reached; it resets ${resets}, beyond rateLimit.maxWaitMinutes (${maxWaitMinutes})` };
  }
  return { wait: true, untilMs };
}

/** Sleeps until `untilMs`, reporting the time left every second; false when interrupted. */
export async function waitUntil(ctx: RunContext, untilMs: number, onTick: (remainingMs: number) => void): Promise<boolean> {
  for (;;) {
    if (ctx.signal.aborted) return false;
    const remaining = untilMs - ctx.now();
    if (remaining <= 0) return true;
    onTick(remaining);
    await ctx.sleep(Math.min(1000, remaining), ctx.signal);
  }
}
