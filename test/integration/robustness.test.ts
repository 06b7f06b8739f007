import { existsSync, readdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
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
  priced,
  result,
  snapshot,
  taskFileName,
  sumUsage,
  waitFor,
  type ApiUsage,
  type Attempt,
} from './helpers.js';

afterAll(cleanup);

const started = snapshot(40, 100, 200);
const okUsage = { [SONNET]: billed(700, 80, 0, 0, 0.0033) };
const ok: Attempt = {
  lines: [init('ok'), ...assistant({ id: 'm_ok', model: SONNET, usage: snapshot(7), blocks: 1 }), result({ modelUsage: okUsage })],
};
const twoSteps = () =>
  config([
    { name: 'first', prompt: 'FIRST' },
    { name: 'second', prompt: 'SECOND' },
  ]);

/** Waits until the fake claude has been called `n` times and its stream is in the raw log. */
async function untilStreaming(project: Project, n: number, rawLog: string): Promise<void> {
  await waitFor(`call ${n}`, async () => (await project.calls()).length >= n);
  await waitFor(
    'the stream in the raw log',
    async () => existsSync(rawLog) && (await readFile(rawLog, 'utf8')).includes('"type":"assistant"'),
  );
}

/** Waits until the running attempt's claude pid is in the state (what a later run uses to stop an orphan). */
async function untilPidRecorded(project: Project): Promise<void> {
  await waitFor('the pid of claude in the state', async () => {
    const state = await project.taskState('t').catch(() => undefined);
    return state?.steps?.[0]?.attempts?.[0]?.pid !== undefined;
  });
}

/**
 * Runs `next` (the run after a kill -9), then asserts it stopped the orphaned claude `pid`; the
 * orphan is killed here in any case, so a failing test leaks no process.
 */
async function withOrphanReaped<T>(pid: number, next: () => Promise<T>): Promise<T> {
  try {
    const out = await next();
    expect(alive(pid)).toBe(false);
    return out;
  } finally {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

describe('stopping and resuming', () => {
  it.concurrent('SIGTERM: claude is stopped, exit 130, the attempt is kept with its usage, the .log still ends with a footer; the next run resumes', async () => {
    const project = await Project.create({
      config: twoSteps(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [{ lines: [init('h'), ...assistant({ id: 'm_h', model: SONNET, usage: started, blocks: 2 })], hang: true }, ok, ok],
      },
    });
    const cli = project.start(['run', 'tasks/t.md']);
    await untilStreaming(project, 1, `${project.stepLogBase('t', 0, 'first')}.jsonl`);
    cli.kill('SIGTERM');
    const run = await cli;
    expect(run.exitCode).toBe(130);
    const [call] = await project.calls();
    expect(alive(call!.pid)).toBe(false);
    const state = await project.taskState('t');
    expect(state.phase).toBe('interrupted');
    expect(state.steps[0].attempts[0].outcome).toBe('interrupted');
    expectUsage(state.steps[0].attempts[0].usage, priced(SONNET, started));
    const { log } = await project.stepLogs('t', 0, 'first');
    expectFooter(log, priced(SONNET, started), 'estimate');

    const again = await project.run(['run', 'tasks/t.md']);
    expect(again.exitCode).toBe(0);
    const calls = await project.calls();
    expect(calls.map((c) => c.stdin.split('\n')[0])).toEqual(['FIRST', 'FIRST', 'SECOND']);
    const done = await project.taskState('t');
    expect(done.phase).toBe('done');
    expect(done.steps[0].attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['interrupted', 'passed']);
    expectUsage(done.tokenUsage, sumUsage(priced(SONNET, started), fromModelUsage(okUsage), fromModelUsage(okUsage)));
  });

  it.concurrent('kill -9 of claude-project: the next run stops the orphaned claude, takes over the lock, and recovers the attempt from the raw log and the transcript', async () => {
    const final: ApiUsage = { input_tokens: 40, output_tokens: 46, cache_creation_input_tokens: 100, cache_read_input_tokens: 200 };
    const transcript = {
      sessionId: 'sess-k',
      lines: [{ type: 'assistant', requestId: 'req_k', message: { id: 'm_k', model: SONNET, usage: final }, sessionId: 'sess-k' }],
    };
    const project = await Project.create({
      config: twoSteps(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [
          { lines: [init('sess-k'), ...assistant({ id: 'm_k', model: SONNET, usage: started, blocks: 3 })], hang: true, transcript },
          ok,
          ok,
        ],
      },
    });
    const cli = project.start(['run', 'tasks/t.md']);
    await untilStreaming(project, 1, `${project.stepLogBase('t', 0, 'first')}.jsonl`);
    await untilPidRecorded(project);
    cli.kill('SIGKILL');
    await cli;
    const [call] = await project.calls();
    // What kill -9 leaves: valid JSON with an unfinished attempt, and claude still running.
    expect((await project.taskState('t')).steps[0].attempts[0].outcome).toBe('unfinished');
    expect(alive(call!.pid)).toBe(true);

    const again = await withOrphanReaped(call!.pid, () => project.run(['run', 'tasks/t.md']));
    expect(again.stderr).not.toMatch(/already being run/);
    expect(again.exitCode).toBe(0);
    const state = await project.taskState('t');
    const [lost, passed] = state.steps[0].attempts;
    expect(lost.outcome).toBe('interrupted');
    expect(lost.usageSource).toBe('transcript');
    expectUsage(lost.usage, priced(SONNET, final));
    expect(passed.outcome).toBe('passed');
    expectUsage(state.tokenUsage, sumUsage(priced(SONNET, final), fromModelUsage(okUsage), fromModelUsage(okUsage)));
    // No lock left behind.
    expect((await readdir(project.stateDir)).filter((n) => n.includes('.run.'))).toEqual([]);
  });

  it.concurrent('kill -9 before claude printed anything: recovered from the transcript of the session id claude-project chose', async () => {
    const final: ApiUsage = { input_tokens: 12, output_tokens: 34, cache_creation_input_tokens: 56, cache_read_input_tokens: 78 };
    const transcript = { lines: [{ type: 'assistant', requestId: 'req_n', message: { id: 'm_n', model: SONNET, usage: final } }] };
    const project = await Project.create({
      config: twoSteps(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [{ lines: [], hang: true, transcript }, ok, ok] },
    });
    const cli = project.start(['run', 'tasks/t.md']);
    const transcriptDir = path.join(project.home, '.claude', 'projects', project.dir.replace(/[^a-zA-Z0-9]/g, '-'));
    await waitFor('the transcript', () => existsSync(transcriptDir) && readdirSync(transcriptDir).length > 0);
    await untilPidRecorded(project);
    cli.kill('SIGKILL');
    await cli;
    const [call] = await project.calls();

    const again = await withOrphanReaped(call!.pid, () => project.run(['run', 'tasks/t.md']));
    expect(again.exitCode).toBe(0);
    const lost = (await project.taskState('t')).steps[0].attempts[0];
    expect(lost.outcome).toBe('interrupted');
    expect(lost.usageSource).toBe('transcript');
    expectUsage(lost.usage, priced(SONNET, final));
  });

  it.concurrent('a second run of a task that is running is refused (exit 2) and changes nothing', async () => {
    const project = await Project.create({
      // a safety net: the test stops the first run itself, once the second has been refused
      config: config([{ name: 'first', prompt: 'FIRST' }], { timeoutSeconds: 600 }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [{ lines: [init('h'), ...assistant({ id: 'm_h', model: SONNET, usage: started, blocks: 1 })], hang: true }] },
    });
    const first = project.start(['run', 'tasks/t.md']);
    await untilStreaming(project, 1, `${project.stepLogBase('t', 0, 'first')}.jsonl`);
    const second = await project.run(['run', 'tasks/t.md']);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/already being run/);
    expect(second.stderr).toContain(String(first.pid));
    first.kill('SIGTERM');
    await first;
    expect(await project.calls()).toHaveLength(1);
    expect((await project.taskState('t')).steps[0].attempts).toHaveLength(1);
  });

  it.concurrent('--restart moves the old state and logs aside and counts only the new run', async () => {
    const project = await Project.create({
      config: config([{ name: 'first', prompt: 'FIRST' }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [ok] },
    });
    expect((await project.run(['run', 'tasks/t.md'])).exitCode).toBe(0);
    const old = await readFile(project.taskStateFile('t'), 'utf8');
    const run = await project.run(['run', 'tasks/t.md', '--restart']);
    expect(run.exitCode).toBe(0);
    expect(await project.calls()).toHaveLength(2);
    expectUsage((await project.taskState('t')).tokenUsage, fromModelUsage(okUsage));
    const aside = (await readdir(project.stateDir)).filter((n) => n.startsWith(`${taskFileName('tasks/t.md')}.state.json.restarted-`));
    expect(aside).toHaveLength(1);
    expect(await readFile(path.join(project.stateDir, aside[0]!), 'utf8')).toBe(old);
    expect((await readdir(project.logsDir)).filter((n) => n.startsWith(`${taskFileName('tasks/t.md')}.restarted-`))).toHaveLength(1);
  });
});
