import {
  Project,
  SONNET,
  alive,
  assistant,
  billed,
  cleanup,
  config,
  expectUsage,
  fromModelUsage,
  init,
  lastFooter,
  priced,
  result,
  snapshot,
} from './helpers.js';

afterAll(cleanup);

// CLAUDE_PROJECT_TEST_CRASH=<stage> is a test-only hook (src/errors/test-crash.ts): the CLI throws once
// at that stage of a step, as an unforeseen bug would.
const billedUsage = { [SONNET]: billed(1200, 90, 0, 0, 0.005) };
const seen = snapshot(321);
const finished = [init('s1'), ...assistant({ id: 'm1', model: SONNET, usage: seen, blocks: 1 }), result({ modelUsage: billedUsage })];
/** Claude still busy when the crash comes: it ends only when stopped. */
const busy = [init('s1'), ...assistant({ id: 'm1', model: SONNET, usage: seen, blocks: 1 })];

const STAGES = [
  { stage: 'spawn', lines: busy, hang: true, attemptOutcome: 'failed', usage: undefined },
  { stage: 'stream', lines: busy, hang: true, attemptOutcome: 'failed', usage: priced(SONNET, seen) },
  { stage: 'check', lines: finished, hang: false, attemptOutcome: 'failed', usage: fromModelUsage(billedUsage) },
  { stage: 'state-write', lines: finished, hang: false, attemptOutcome: 'failed', usage: fromModelUsage(billedUsage) },
  { stage: 'footer', lines: finished, hang: false, attemptOutcome: 'passed', usage: fromModelUsage(billedUsage) },
] as const;

it.each(STAGES)(
  'an unexpected error at stage "$stage": claude stopped, state failed, footer written, --json line, exit 1 with one line naming the log',
  async ({ stage, lines, hang, attemptOutcome, usage }) => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'WORK', check: { command: 'true' } }]),
      tasks: { 't.md': 'task' },
      scenario: { attempts: [{ lines: [...lines], hang }] },
    });
    const out = await project.run(['run', 't.md', '--json'], { env: { CLAUDE_PROJECT_TEST_CRASH: stage } });

    expect(out.exitCode).toBe(1);
    const logPath = `${project.stepLogBase('t', 0, 'work')}.log`;
    expect(out.stderr).toContain(`claude-project: unexpected error: crash injected for a test at stage "${stage}"; details in ${logPath}`);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(out.stdout)).toMatchObject({
      command: 'run',
      phase: 'failed',
      exitCode: 1,
      error: expect.stringContaining('unexpected error'),
    });

    const state = await project.taskState('t');
    // claude's pid: kept in the state while the attempt was under way; the fake records it once started
    const pid = state.steps[0].attempts[0].pid ?? (await project.calls())[0]?.pid;
    expect(pid).toEqual(expect.any(Number));
    expect(alive(pid)).toBe(false);

    expect(state.phase).toBe('failed');
    expect(state.error).toContain(`crash injected for a test at stage "${stage}"`);
    expect(state.steps[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('unexpected error') });
    expect(state.steps[0].attempts).toHaveLength(1);
    expect(state.steps[0].attempts[0].outcome).toBe(attemptOutcome);
    if (usage) expectUsage(state.tokenUsage, usage);

    const { log } = await project.stepLogs('t', 0, 'work');
    expect(log).toMatch(/crash injected[^\n]*\n\s+at /); // the stack is in the log
    expect(log.lastIndexOf('--- Token Usage ---')).toBeGreaterThan(log.lastIndexOf('[unexpected error: crash injected'));
    expect(lastFooter(log).join('\n')).toContain('failed (unexpected error');
  },
);

it('with DEBUG set, the stack trace of an unexpected error goes to stderr too', async () => {
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'WORK', check: { command: 'true' } }]),
    tasks: { 't.md': 'task' },
    scenario: { attempts: [{ lines: [...finished] }] },
  });
  const out = await project.run(['run', 't.md'], { env: { CLAUDE_PROJECT_TEST_CRASH: 'check', DEBUG: '1' } });
  expect(out.exitCode).toBe(1);
  expect(out.stderr).toMatch(/crash injected for a test at stage "check"\n\s+at /);
});
