import type { RunContext } from './run-context.js';

const TICK_MS = 1000;

/**
 * Sleeps until `untilMs`, reporting the time left every second; false when interrupted. It never
 * sleeps longer in all than the wait it was given: a clock set back meanwhile does not stretch it.
 */
export async function waitUntil(ctx: RunContext, untilMs: number, onTick: (remainingMs: number) => void): Promise<boolean> {
  const plannedMs = untilMs - ctx.now();
  let sleptMs = 0;
  for (;;) {
    if (ctx.signal.aborted) return false;
    const remaining = Math.min(untilMs - ctx.now(), plannedMs - sleptMs);
    if (remaining <= 0) return true;
    onTick(remaining);
    const tick = Math.min(TICK_MS, remaining);
    await ctx.sleep(tick, ctx.signal);
    sleptMs += tick;
  }
}
