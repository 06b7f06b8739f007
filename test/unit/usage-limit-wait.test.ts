import { waitUntil } from '../../src/pipeline/usage-limit-wait.js';
import type { RunContext } from '../../src/pipeline/run-context.js';

/** A context whose clock `now` gives and whose sleep returns at once, counting the sleeps (and refusing to go on for ever). */
function context(now: () => number, abort?: AbortController): { ctx: RunContext; slept: number[] } {
  const slept: number[] = [];
  const ctx = {
    signal: (abort ?? new AbortController()).signal,
    now,
    sleep: async (ms: number) => {
      slept.push(ms);
      if (slept.length > 10_000) throw new Error('still waiting after 10,000 sleeps');
    },
  } as unknown as RunContext;
  return { ctx, slept };
}

describe('waiting for a usage-limit reset', () => {
  it('sleeps in ticks of a second until the time, reporting what is left', async () => {
    let clock = 0;
    const { ctx, slept } = context(() => clock);
    const left: number[] = [];
    const sleep = ctx.sleep;
    ctx.sleep = async (ms, signal) => {
      clock += ms;
      await sleep(ms, signal);
    };
    expect(await waitUntil(ctx, 2500, (ms) => left.push(ms))).toBe(true);
    expect(slept).toEqual([1000, 1000, 500]);
    expect(left).toEqual([2500, 1500, 500]);
  });

  it('never sleeps longer in all than the wait it was given, even if the clock is set back or stands still', async () => {
    let calls = 0;
    // the clock reads 0 once (the wait is planned: 3 s), then stands an hour back for good
    const { ctx, slept } = context(() => (calls++ === 0 ? 0 : -3_600_000));
    expect(await waitUntil(ctx, 3000, () => undefined)).toBe(true);
    expect(slept.reduce((a, b) => a + b, 0)).toBe(3000);
  });

  it('ends at once, false, when interrupted', async () => {
    const abort = new AbortController();
    abort.abort();
    const { ctx, slept } = context(() => 0, abort);
    expect(await waitUntil(ctx, 60_000, () => undefined)).toBe(false);
    expect(slept).toEqual([]);
  });
});
