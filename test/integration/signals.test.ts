/**
 * Interrupts: Ctrl-C / SIGINT, a Ctrl-C that reaches the whole process group, and a
 * claude that ignores SIGTERM (SIGKILLed after the grace period, on an interrupt and on a timeout).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  Project,
  SONNET,
  alive,
  assistant,
  billed,
  cleanup,
  config,
  expectFooter,
  expectUsage,
  fromModelUsage,
  init,
  lastFooter,
  priced,
  result,
  snapshot,
  sumUsage,
  waitFor,
  type Attempt,
  hangTimeoutSeconds,
} from './helpers.js';

afterAll(cleanup);

const started = snapshot(40, 100, 200);
const okUsage = { [SONNET]: billed(700, 80, 0, 0, 0.0033) };
const ok: Attempt = {
  lines: [init('ok'), ...assistant({ id: 'm_ok', model: SONNET, usage: snapshot(7), blocks: 1 }), result({ modelUsage: okUsage })],
};
const hanging = (extra: Partial<Attempt> = {}): Attempt => ({
  lines: [init('h'), ...assistant({ id: 'm_h', model: SONNET, usage: started, blocks: 2 })],
  hang: true,
  ...extra,
});
const twoSteps = (extra: Record<string, unknown> = {}) =>
  config(
    [
      { name: 'first', prompt: 'FIRST' },
      { name: 'second', prompt: 'SECOND' },
    ],
    extra,
  );

/** Waits until the fake claude has been called and its stream is in the raw log of step `first`. */
async function untilStreaming(project: Project): Promise<void> {
  const rawLog = `${project.stepLogBase('t', 0, 'first')}.jsonl`;
  await waitFor('call 1', async () => (await project.calls()).length >= 1);
  await waitFor(
    'the stream in the raw log',
    async () => existsSync(rawLog) && (await readFile(rawLog, 'utf8')).includes('"type":"assistant"'),
  );
}

/** The SIGTERMs the fake claude recorded and ignored. */
async function ignoredSigterms(project: Project): Promise<unknown[]> {
  const file = path.join(project.recordDir, 'signals.jsonl');
  if (!existsSync(file)) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);
}

/** After an interrupt: exit 130, step and task interrupted, the attempt's usage kept, the footer written. */
async function expectInterrupted(project: Project, exitCode: number | undefined): Promise<void> {
  expect(exitCode).toBe(130);
  const [call] = await project.calls();
  expect(alive(call!.pid)).toBe(false);
  const state = await project.taskState('t');
  expect(state.phase).toBe('interrupted');
  expect(state.steps[0].status).toBe('interrupted');
  expect(state.steps[0].attempts).toHaveLength(1);
  expect(state.steps[0].attempts[0].outcome).toBe('interrupted');
  expectUsage(state.steps[0].attempts[0].usage, priced(SONNET, started));
  const { log } = await project.stepLogs('t', 0, 'first');
  expectFooter(log, priced(SONNET, started), 'estimate');
  expect(lastFooter(log)).toContain('outcome: interrupted · 1 attempt(s)');
}

/** The next run re-runs the interrupted step, then the rest, and keeps the interrupted attempt's usage. */
async function expectResumed(project: Project): Promise<void> {
  const again = await project.run(['run', 'tasks/t.md']);
  expect(again.exitCode).toBe(0);
  expect((await project.calls()).map((c) => c.stdin.split('\n')[0])).toEqual(['FIRST', 'FIRST', 'SECOND']);
  const done = await project.taskState('t');
  expect(done.phase).toBe('done');
  expect(done.steps[0].attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['interrupted', 'passed']);
  expectUsage(done.steps[0].usage, sumUsage(priced(SONNET, started), fromModelUsage(okUsage)));
  expectUsage(done.tokenUsage, sumUsage(priced(SONNET, started), fromModelUsage(okUsage), fromModelUsage(okUsage)));
}

describe('interrupts', () => {
  it.concurrent('SIGINT: claude stopped, exit 130, footer "interrupted", step and task interrupted; the next run re-runs the step and keeps the usage', async () => {
    const project = await Project.create({
      config: twoSteps(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [hanging(), ok, ok] },
    });
    const cli = project.start(['run', 'tasks/t.md']);
    await untilStreaming(project);
    cli.kill('SIGINT');
    const run = await cli;
    expect(run.stderr).toMatch(/SIGINT: stopping claude/);
    await expectInterrupted(project, run.exitCode);
    await expectResumed(project);
  });

  it.concurrent('Ctrl-C on the terminal (SIGINT to claude-project and claude at once): the same, never a failed attempt or a retry', async () => {
    const project = await Project.create({
      config: config([
        { name: 'first', prompt: 'FIRST', check: { command: 'true', retries: 3 } },
        { name: 'second', prompt: 'SECOND' },
      ]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [hanging(), ok, ok] },
    });
    const cli = project.start(['run', 'tasks/t.md'], { detached: true });
    await untilStreaming(project);
    process.kill(-cli.pid!, 'SIGINT');
    const run = await cli;
    await expectInterrupted(project, run.exitCode);
    expect(await project.calls()).toHaveLength(1);
    await expectResumed(project);
  });

  it.concurrent('a claude that ignores SIGTERM is SIGKILLed after the grace period; exit 130 and its usage kept', async () => {
    const project = await Project.create({
      config: twoSteps(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [hanging({ ignoreSigterm: true }), ok, ok] },
    });
    const cli = project.start(['run', 'tasks/t.md']);
    await untilStreaming(project);
    // not cli.kill(): execa would SIGKILL claude-project itself after its own 5 s
    process.kill(cli.pid!, 'SIGTERM');
    const run = await cli;
    // it was asked to stop, ignored it, and is gone all the same
    expect(await ignoredSigterms(project)).toHaveLength(1);
    await expectInterrupted(project, run.exitCode);
    await expectResumed(project);
  });

  it.concurrent('a hung claude that ignores SIGTERM is SIGKILLed after a timeout too: outcome timeout, exit 1', async () => {
    const seconds = await hangTimeoutSeconds(1);
    const project = await Project.create({
      config: config([{ name: 'first', prompt: 'FIRST', timeoutSeconds: seconds }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [hanging({ ignoreSigterm: true })] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(1);
    expect(await ignoredSigterms(project)).toHaveLength(1);
    const [call] = await project.calls();
    expect(alive(call!.pid)).toBe(false);
    const attempt = (await project.taskState('t')).steps[0].attempts[0];
    expect(attempt.outcome).toBe('timeout');
    expectUsage(attempt.usage, priced(SONNET, started));
    const { log } = await project.stepLogs('t', 0, 'first');
    expect(lastFooter(log).find((l) => l.startsWith('outcome:'))).toMatch(new RegExp(`^outcome: failed \\(timeout after ${seconds}s\\)`));
  });
});
