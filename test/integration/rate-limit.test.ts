import { chmod, copyFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  FAKE_CLAUDE,
  Project,
  attemptSection,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectFooter,
  expectUsage,
  fromModelUsage,
  init,
  rateLimitEvent,
  result,
  sleep,
  snapshot,
  hangTimeoutSeconds,
  sumUsage,
  type Attempt,
} from './helpers.js';

afterAll(cleanup);

const oneStep = (rateLimit: Record<string, unknown>) => config([{ name: 'work', prompt: 'Work' }], { rateLimit });
const limitedUsage = { [SONNET]: billed(400, 30, 0, 2_000, 0.0031) };
const okUsage = { [SONNET]: billed(900, 210, 300, 5_000, 0.0101) };
const SYNTHETIC = '<synthetic>';

/**
 * A reset a few seconds ahead must be ahead of when claude prints it, however slow the machine:
 * the scenario carries RESETS_AT, and this wrapper (the configured claude.command) stamps it with
 * "now + seconds" just before starting the fake claude, `seconds` sized from a measured fake
 * claude call (`hangTimeoutSeconds`) so that the attempt has ended before it. The tests read the
 * real value back from the raw log.
 */
const RESETS_AT = '__RESETS_AT__';
const RESET_WRAPPER = 'bin/claude-stamping-resets';
const resetWrapper = (seconds: number): string =>
  [
    '#!/bin/sh',
    `R=$(( $(date +%s) + ${seconds} ))`,
    `sed -e 's/"${RESETS_AT}"/'"$R"'/g' -e 's/${RESETS_AT}/'"$R"'/g' "$FAKE_CLAUDE_SCENARIO.template" > "$FAKE_CLAUDE_SCENARIO.tmp"`,
    'mv "$FAKE_CLAUDE_SCENARIO.tmp" "$FAKE_CLAUDE_SCENARIO"',
    `exec "${FAKE_CLAUDE}" "$@"`,
    '',
  ].join('\n');

/** A subscription run refused for a usage limit: event, synthetic message, error result, exit 1. */
function limited(resetsAt: number, resultText = "You've hit your limit"): Attempt {
  return {
    lines: [
      init('sess-rl'),
      ...assistant({ id: 'msg_before', model: SONNET, usage: snapshot(400, 0, 2_000), blocks: 1 }),
      rateLimitEvent(resetsAt),
      ...assistant({ id: 'msg_synthetic', model: SYNTHETIC, usage: snapshot(0, 0, 0, 0), blocks: [{ type: 'text', text: resultText }] }),
      result({ modelUsage: { ...limitedUsage, [SYNTHETIC]: billed(0, 0, 0, 0, 0) }, isError: true, subtype: 'success', text: resultText }),
    ],
    exitCode: 1,
  };
}
const succeeds: Attempt = {
  lines: [init('sess-ok'), ...assistant({ id: 'msg_ok', model: SONNET, usage: snapshot(900), blocks: 2 }), result({ modelUsage: okUsage })],
  writeFiles: { 'SECOND-CALL': 'ran' }, // its mtime tells when the second call ran
};

describe('usage limits', () => {
  it.concurrent('waits until resetsAt, re-runs the step, and counts the refused attempt too', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }], {
        rateLimit: { marginSeconds: 0, minWaitSeconds: 0 },
        claude: { command: RESET_WRAPPER },
      }),
      tasks: { 'tasks/t.md': 'x\n', [RESET_WRAPPER]: resetWrapper(await hangTimeoutSeconds(3)) },
      scenario: { attempts: [limited(RESETS_AT as unknown as number), succeeds] },
    });
    await chmod(path.join(project.dir, RESET_WRAPPER), 0o755);
    await copyFile(project.scenarioFile, `${project.scenarioFile}.template`);
    // Watch the state file while the CLI waits: it says waiting-rate-limit until resetsAt, and
    // every read parses (writes are atomic).
    let finished = false;
    const phases = new Set<string>();
    const waitingUntil = new Set<string>();
    const unreadable: string[] = [];
    const watch = (async () => {
      while (!finished) {
        try {
          const s = await project.taskState('t');
          phases.add(s.phase);
          if (s.waitingUntil) waitingUntil.add(s.waitingUntil);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.push(String(error));
        }
        await sleep(50);
      }
    })();
    const run = await project.run(['run', 'tasks/t.md']);
    finished = true;
    await watch;
    expect(run.exitCode).toBe(0);
    // What claude said, from the raw log.
    const { jsonl, log } = await project.stepLogs('t', 0, 'work');
    const event = attemptSection(jsonl, 1)
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'rate_limit_event');
    const resetsAt: number = event.rate_limit_info.resetsAt;
    expect(typeof resetsAt).toBe('number');
    expect(unreadable).toEqual([]);
    expect(phases).toContain('waiting-rate-limit');
    expect([...waitingUntil]).toEqual([new Date(resetsAt * 1000).toISOString()]);
    expect(await project.calls()).toHaveLength(2);
    const secondCall = await stat(path.join(project.dir, 'SECOND-CALL'));
    expect(secondCall.mtimeMs).toBeGreaterThanOrEqual(resetsAt * 1000);
    const state = await project.taskState('t');
    expect(state.phase).toBe('done');
    expect(state.waitingUntil).toBeUndefined();
    const [first, second] = state.steps[0].attempts;
    expect(first.outcome).toBe('rate-limited');
    expect(Date.parse(first.endedAt)).toBeLessThan(resetsAt * 1000); // so there was something to wait for
    expect(Date.parse(first.resetsAt)).toBe(resetsAt * 1000);
    expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(resetsAt * 1000);
    expect(second.outcome).toBe('passed');
    expectUsage(first.usage, fromModelUsage(limitedUsage)); // billed before the refusal; no <synthetic> row
    const total = sumUsage(fromModelUsage(limitedUsage), fromModelUsage(okUsage));
    expectUsage(state.tokenUsage, total);
    // The countdown line on stderr.
    const waitLine = run.stderr.split('\n').find((l) => l.includes(new Date(resetsAt * 1000).toISOString()));
    expect(waitLine).toMatch(/usage limit.*\d+s/i);
    expectFooter(log, total, 'result');
    expect(log).toMatch(/rate limit rejected/);
  });

  it.concurrent('a reset beyond rateLimit.maxWaitMinutes → exit 3, says why, state failed, usage kept', async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 3 * 3600;
    const project = await Project.create({
      config: oneStep({ maxWaitMinutes: 0 }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [limited(resetsAt), succeeds] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(3);
    expect(await project.calls()).toHaveLength(1);
    expect(`${run.stdout}\n${run.stderr}`).toMatch(/usage limit.*maxWaitMinutes/s);
    expect(`${run.stdout}\n${run.stderr}`).toContain(new Date(resetsAt * 1000).toISOString());
    const state = await project.taskState('t');
    expect(state.phase).toBe('failed');
    expect(state.steps[0].status).toBe('failed');
    expect(state.steps[0].attempts[0].outcome).toBe('rate-limited');
    expect(state.error).toMatch(/maxWaitMinutes/);
    expectUsage(state.tokenUsage, fromModelUsage(limitedUsage));
  });

  it.concurrent('rateLimit.wait: false → exit 3 at once, the message names rateLimit.wait', async () => {
    // an hour ahead: a run that waited for it would end only at the test's timeout
    const resetsAt = Math.floor(Date.now() / 1000) + 3600;
    const project = await Project.create({
      config: oneStep({ wait: false }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [limited(resetsAt), succeeds] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(3);
    expect(await project.calls()).toHaveLength(1);
    expect(`${run.stdout}\n${run.stderr}`).toMatch(/rateLimit\.wait/);
    expect((await project.taskState('t')).phase).toBe('failed');
  });

  it.concurrent('the old format: result text "Claude AI usage limit reached|<epoch>" without a rate_limit_event', async () => {
    const epoch = Math.floor(Date.now() / 1000) + 2 * 3600;
    const text = `Claude AI usage limit reached|${epoch}`;
    const project = await Project.create({
      config: oneStep({ maxWaitMinutes: 60 }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [{ lines: [init('sess-old'), result({ modelUsage: limitedUsage, isError: true, text })], exitCode: 1 }, succeeds],
      },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(3);
    const state = await project.taskState('t');
    const attempt = state.steps[0].attempts[0];
    expect(attempt.outcome).toBe('rate-limited');
    expect(Date.parse(attempt.resetsAt)).toBe(epoch * 1000);
    expect(state.error).toContain(new Date(epoch * 1000).toISOString());
    expectUsage(state.tokenUsage, fromModelUsage(limitedUsage));
  });

  it.concurrent('the old format with a reset a few seconds ahead waits for it and runs again', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }], {
        rateLimit: { marginSeconds: 0, minWaitSeconds: 0 },
        claude: { command: RESET_WRAPPER },
      }),
      tasks: { 'tasks/t.md': 'x\n', [RESET_WRAPPER]: resetWrapper(await hangTimeoutSeconds(3)) },
      scenario: {
        attempts: [
          {
            lines: [
              init('sess-old'),
              result({ modelUsage: limitedUsage, isError: true, text: `Claude AI usage limit reached|${RESETS_AT}` }),
            ],
            exitCode: 1,
          },
          succeeds,
        ],
      },
    });
    await chmod(path.join(project.dir, RESET_WRAPPER), 0o755);
    await copyFile(project.scenarioFile, `${project.scenarioFile}.template`);
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(0);
    const { jsonl } = await project.stepLogs('t', 0, 'work');
    const text: string = attemptSection(jsonl, 1)
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'result').result;
    const epoch = Number(text.split('|')[1]);
    expect(epoch).toBeGreaterThan(1_700_000_000);
    const first = (await project.taskState('t')).steps[0].attempts[0];
    expect(Date.parse(first.resetsAt)).toBe(epoch * 1000);
    expect(Date.parse(first.endedAt)).toBeLessThan(epoch * 1000);
    expect((await stat(path.join(project.dir, 'SECOND-CALL'))).mtimeMs).toBeGreaterThanOrEqual(epoch * 1000);
    expectUsage((await project.taskState('t')).tokenUsage, sumUsage(fromModelUsage(limitedUsage), fromModelUsage(okUsage)));
  });

  it.concurrent('the newer wording "You\'ve hit your limit · resets 4pm (Europe/Rome)" is understood', async () => {
    const text = "You've hit your limit · resets 4pm (Europe/Rome)";
    const project = await Project.create({
      config: oneStep({ wait: false }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [{ lines: [init('sess-new'), result({ modelUsage: limitedUsage, isError: true, text })], exitCode: 1 }, succeeds],
      },
    });
    const before = Date.now();
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(3);
    const attempt = (await project.taskState('t')).steps[0].attempts[0];
    expect(attempt.outcome).toBe('rate-limited');
    const resets = Date.parse(attempt.resetsAt);
    expect(resets).toBeGreaterThan(before);
    expect(resets - before).toBeLessThanOrEqual(24 * 3600 * 1000 + 60_000);
    const wall = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      resets,
    );
    expect(wall).toBe('16:00');
  });
});
