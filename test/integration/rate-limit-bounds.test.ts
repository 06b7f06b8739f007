/**
 * Usage limits whose reset is already past (clock skew, a stale event) do not make a step re-run
 * at once and forever: each re-run waits at least rateLimit.minWaitSeconds, and after
 * rateLimit.maxReruns of them in a row the run stops as it does when it may not wait (exit 3).
 */
import {
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectUsage,
  fromModelUsage,
  init,
  rateLimitEvent,
  result,
  snapshot,
  sumUsage,
  type Attempt,
} from './helpers.js';

afterAll(cleanup);

const limitedUsage = { [SONNET]: billed(400, 30, 0, 2_000, 0.0031) };
const okUsage = { [SONNET]: billed(900, 210, 300, 5_000, 0.0101) };

function limitedWithResetIn(resetsAt: number): Attempt {
  return {
    lines: [
      init('sess-rl'),
      ...assistant({ id: 'msg_before', model: SONNET, usage: snapshot(400, 0, 2_000), blocks: 1 }),
      rateLimitEvent(resetsAt),
      result({ modelUsage: limitedUsage, isError: true, text: "You've hit your limit" }),
    ],
    exitCode: 1,
  };
}
const succeeds: Attempt = {
  lines: [init('sess-ok'), ...assistant({ id: 'msg_ok', model: SONNET, usage: snapshot(900), blocks: 2 }), result({ modelUsage: okUsage })],
};

describe('usage limits with a reset already past', () => {
  it.concurrent('re-run after the floor only rateLimit.maxReruns times in a row, then exit 3 saying why; every attempt counted', async () => {
    // An hour ago: the event is stale. Six of them, then claude would succeed.
    const past = Math.floor(Date.now() / 1000) - 3600;
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }], { rateLimit: { minWaitSeconds: 1, maxReruns: 2 } }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [...Array.from({ length: 6 }, () => limitedWithResetIn(past)), succeeds] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(3);
    // the first call and two re-runs, no more
    expect(await project.calls()).toHaveLength(3);
    const said = `${run.stdout}\n${run.stderr}`;
    expect(said).toMatch(/usage limit reached; it resets at .*already past; the step was re-run 2 time\(s\) in a row/);
    expect(said).toContain('rateLimit.maxReruns is 2');
    const state = await project.taskState('t');
    expect(state.phase).toBe('failed');
    expect(state.error).toMatch(/rateLimit\.maxReruns/);
    const attempts = state.steps[0].attempts as Array<{ outcome: string; startedAt: string; endedAt: string }>;
    expect(attempts.map((a) => a.outcome)).toEqual(['rate-limited', 'rate-limited', 'rate-limited']);
    // each re-run started no sooner than the floor after the attempt before it ended
    for (const [i, a] of attempts.slice(1).entries()) {
      expect(Date.parse(a.startedAt) - Date.parse(attempts[i]!.endedAt)).toBeGreaterThanOrEqual(1000);
    }
    expectUsage(state.tokenUsage, sumUsage(fromModelUsage(limitedUsage), fromModelUsage(limitedUsage), fromModelUsage(limitedUsage)));
  });

  it.concurrent('a reset no state can record (milliseconds sent as seconds: year 58000) is taken as not said: bounded re-runs, exit 3, the state still valid', async () => {
    const project = await Project.create({
      // no re-run for a limit without a reset still to come: the first one stops the run
      config: config([{ name: 'work', prompt: 'Work' }], { rateLimit: { maxReruns: 0 } }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [limitedWithResetIn(Date.now()), succeeds] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.stderr).not.toContain('unexpected error');
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('usage limit reached; it resets at an unknown time');
    expect(await project.calls()).toHaveLength(1);
    const state = await project.taskState('t');
    expect(state.steps[0].attempts.map((a: { outcome: string; resetsAt?: string }) => [a.outcome, a.resetsAt])).toEqual([
      ['rate-limited', undefined],
    ]);
    expect((await project.run(['status'])).exitCode).toBe(0);
  });
});
