import type { RunContext } from './run-context.js';

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
