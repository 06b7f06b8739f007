import {
  Project,
  alive,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectFooter,
  expectUsage,
  fromModelUsage,
  init,
  lastFooter,
  markers,
  priced,
  result,
  snapshot,
  sumUsage,
  hangTimeoutSeconds,
} from './helpers.js';

afterAll(cleanup);

const ok = (session: string, modelUsage: ReturnType<typeof usageOf>) => ({
  lines: [init(session), ...assistant({ id: `msg_${session}`, model: SONNET, usage: snapshot(12), blocks: 2 }), result({ modelUsage })],
});
const usageOf = (input: number, output: number, cost: number) => ({ [SONNET]: billed(input, output, 0, 0, cost) });

describe('checks and retries', () => {
  it.concurrent('a check that fails then passes: two attempts, usage of both summed, check output in the .log', async () => {
    const u1 = usageOf(1_000, 100, 0.0045);
    const u2 = usageOf(1_200, 150, 0.00585);
    const project = await Project.create({
      // Placeholders work in check commands too: {{taskName}} is "t".
      config: config([
        { name: 'build', prompt: 'Build it', check: { command: 'echo check-was-here; test -f {{taskName}}.ok', retries: 2 } },
      ]),
      tasks: { 'tasks/t.md': 'task\n' },
      scenario: { attempts: [ok('a1', u1), { ...ok('a2', u2), writeFiles: { 't.ok': 'yes' } }] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(0);
    expect(await project.calls()).toHaveLength(2); // retries: 2, but it passed on the second
    const state = await project.taskState('t');
    const step = state.steps[0];
    expect(step.status).toBe('done');
    expect(step.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['check-failed', 'passed']);
    expect(step.attempts[0].checkExitCode).toBe(1);
    expectUsage(step.attempts[0].usage, fromModelUsage(u1));
    expectUsage(step.usage, sumUsage(fromModelUsage(u1), fromModelUsage(u2)));
    expectUsage(state.tokenUsage, sumUsage(fromModelUsage(u1), fromModelUsage(u2)));
    const { log, jsonl } = await project.stepLogs('t', 0, 'build');
    expect(log.match(/^check-was-here$/gm)).toHaveLength(2); // the output, once per attempt
    expect(log).toMatch(/check failed/);
    expect(log).toMatch(/check passed/);
    expectFooter(log, sumUsage(fromModelUsage(u1), fromModelUsage(u2)), 'result');
    expect(
      markers(jsonl)
        .filter((m) => m.event === 'attempt_end')
        .map((m) => m.outcome),
    ).toEqual(['check-failed', 'passed']);
  });

  it.concurrent('a check that always fails, retries: 1 → 2 attempts, exit 1, state failed, both attempts counted', async () => {
    const u1 = usageOf(500, 50, 0.002);
    const u2 = usageOf(600, 70, 0.0029);
    const project = await Project.create({
      config: config([{ name: 'build', prompt: 'Build it', check: { command: 'echo still-missing >&2; exit 3', retries: 1 } }]),
      tasks: { 'tasks/t.md': 'task\n' },
      scenario: { attempts: [ok('a1', u1), ok('a2', u2), ok('a3', usageOf(1, 1, 1))] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(1);
    expect(await project.calls()).toHaveLength(2);
    const state = await project.taskState('t');
    expect(state.phase).toBe('failed');
    const step = state.steps[0];
    expect(step.status).toBe('failed');
    expect(step.error).toMatch(/check/);
    expect(step.attempts.map((a: { outcome: string; checkExitCode: number }) => [a.outcome, a.checkExitCode])).toEqual([
      ['check-failed', 3],
      ['check-failed', 3],
    ]);
    expectUsage(state.tokenUsage, sumUsage(fromModelUsage(u1), fromModelUsage(u2)));
    const { log } = await project.stepLogs('t', 0, 'build');
    expect(log).toContain('still-missing'); // stderr of the check too
    const footer = expectFooter(log, sumUsage(fromModelUsage(u1), fromModelUsage(u2)), 'result');
    expect(footer.join('\n')).toMatch(/outcome: failed.*2 attempt/);
  });
});

describe('timeout', () => {
  const started = snapshot(40, 100, 200);
  const hanging = (session: string) => ({
    lines: [init(session), ...assistant({ id: `msg_${session}`, model: SONNET, usage: started, blocks: 2 })],
    hang: true,
  });

  it.concurrent('timeoutSeconds and a claude that hangs → outcome "timeout", footer says so, exit 1, claude killed', async () => {
    const seconds = await hangTimeoutSeconds();
    const project = await Project.create({
      config: config([{ name: 'slow', prompt: 'Go' }], { timeoutSeconds: seconds }),
      tasks: { 'tasks/t.md': 'task\n' },
      scenario: { attempts: [hanging('h1')] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(1);
    const state = await project.taskState('t');
    const step = state.steps[0];
    expect(step.status).toBe('failed');
    expect(step.attempts).toHaveLength(1);
    expect(step.attempts[0].outcome).toBe('timeout');
    expect(step.attempts[0].durationMs).toBeGreaterThanOrEqual(seconds * 1000);
    expect(step.error).toMatch(/timeout/i);
    // No result and no transcript: the stream's one snapshot per message.
    expect(step.attempts[0].usageSource).toBe('estimate');
    expectUsage(step.usage, priced(SONNET, started));
    const { log } = await project.stepLogs('t', 0, 'slow');
    expectFooter(log, priced(SONNET, started), 'estimate');
    expect(lastFooter(log).find((l) => l.startsWith('outcome:'))).toMatch(/timeout/i);
    // The hanging fake was stopped.
    const [call] = await project.calls();
    expect(alive(call!.pid)).toBe(false);
  });

  it.concurrent('with retries, the attempt after a timeout runs (step timeoutSeconds overrides the top level)', async () => {
    const u2 = usageOf(800, 90, 0.00375);
    const seconds = await hangTimeoutSeconds();
    const project = await Project.create({
      config: config([{ name: 'slow', prompt: 'Go', timeoutSeconds: seconds, check: { command: 'true', retries: 1 } }], {
        timeoutSeconds: 3600,
      }),
      tasks: { 'tasks/t.md': 'task\n' },
      scenario: { attempts: [hanging('h1'), ok('h2', u2)] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(0);
    expect(await project.calls()).toHaveLength(2);
    const state = await project.taskState('t');
    const step = state.steps[0];
    expect(step.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['timeout', 'passed']);
    expectUsage(step.usage, sumUsage(priced(SONNET, started), fromModelUsage(u2)));
    // A step is only as exact as its least exact attempt.
    expect(step.usageSource).toBe('estimate');
    const { log } = await project.stepLogs('t', 0, 'slow');
    expect(log).toMatch(/attempt 1: timeout/);
  });
});
