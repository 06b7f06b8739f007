/** Checks: file names reach them as data, their output is streamed, they obey timeouts and signals. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
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
  init,
  result,
  snapshot,
  waitFor,
  hangTimeoutSeconds,
  type Attempt,
} from './helpers.js';

afterAll(cleanup);

const ok: Attempt = {
  lines: [
    init('ok'),
    ...assistant({ id: 'm_ok', model: SONNET, usage: snapshot(7), blocks: 1 }),
    result({ modelUsage: { [SONNET]: billed(700, 80, 0, 0, 0.0033) } }),
  ],
};

async function withCheck(command: string, tasks: Record<string, string>, extra: Record<string, unknown> = {}): Promise<Project> {
  return Project.create({
    config: config([{ name: 'work', prompt: 'WORK', check: { command }, ...extra }]),
    tasks,
    scenario: { attempts: [ok] },
  });
}

describe('placeholders in a check reach it as data, never as shell syntax', () => {
  it.concurrent('a task named x$(touch PWNED).md: nothing is run, the check sees the name', async () => {
    const project = await withCheck('test -n "{{taskName}}" && test "{{taskName}}" = \'x$(touch PWNED)\'', {
      'x$(touch PWNED).md': 'task',
    });
    const out = await project.run(['run', 'x$(touch PWNED).md']);
    expect(existsSync(path.join(project.dir, 'PWNED'))).toBe(false);
    expect(out.exitCode).toBe(0);
  });

  it.concurrent('a task named "my task.md": out-{{taskName}}.txt is one word, the file the step wrote', async () => {
    const project = await withCheck('test -f out-{{taskName}}.txt', { 'my task.md': 'task' });
    await project.writeFile('out-my.txt', 'a file the old unquoted check found by mistake');
    const failed = await project.run(['run', 'my task.md']);
    expect(failed.exitCode).toBe(1);
    await project.writeFile('out-my task.txt', 'made by the step');
    const passed = await project.run(['run', 'my task.md']);
    expect(passed.exitCode).toBe(0);
  });

  it.concurrent("a task named it's.md, with the placeholder in single quotes, in double quotes and bare; the values also in CLAUDE_PROJECT_* variables", async () => {
    const command =
      `test '{{taskName}}' = "it's" && test "{{taskPath}}" = "it's.md" && test {{stepName}} = work && ` +
      `test "$CLAUDE_PROJECT_TASK_NAME" = "it's" && test "$CLAUDE_PROJECT_TASK_PATH" = "it's.md" && test "$CLAUDE_PROJECT_STEP_NAME" = work`;
    const project = await withCheck(command, { "it's.md": 'task' });
    const out = await project.run(['run', "it's.md"]);
    expect(out.stderr).not.toContain('Unterminated');
    expect(out.exitCode).toBe(0);
    expect(await project.calls()).toHaveLength(1);
  });

  it.concurrent('{{taskContent}} in a check is refused (exit 2), pointing to the task file variable', async () => {
    const project = await withCheck('grep -q done <<< "{{taskContent}}"', { 't.md': 'task' });
    const out = await project.run(['run', 't.md']);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(
      /claude-project\.yaml:\d+: pipeline\[0\]\.check\.command: \{\{taskContent\}\} is not available in a check.*CLAUDE_PROJECT_TASK_PATH/,
    );
    expect(await project.calls()).toHaveLength(0);
  });
});

it.concurrent('timeoutSeconds above what a timer holds is refused (exit 2), naming the key and the limit', async () => {
  const project = await withCheck('true', { 't.md': 'task' }, { timeoutSeconds: 2_147_484 });
  const out = await project.run(['run', 't.md']);
  expect(out.exitCode).toBe(2);
  expect(out.stderr).toMatch(/claude-project\.yaml:\d+: pipeline\[0\]\.timeoutSeconds: expected a number ≤ 2147483 .*got 2147484/);
  expect(await project.calls()).toHaveLength(0);
});

it.concurrent('a check that passes after printing 12 MB passes; its output is in the step log', async () => {
  const project = await withCheck("head -c 12000000 /dev/zero | tr '\\0' x; echo; echo check-end", { 't.md': 'task' });
  const out = await project.run(['run', 't.md']);
  expect(out.exitCode).toBe(0);
  const { log } = await project.stepLogs('t', 0, 'work');
  expect(log.length).toBeGreaterThan(12_000_000);
  expect(log).toMatch(/check-end\ncheck passed\n/);
});

it.concurrent("a check obeys the step's timeoutSeconds: stopped with whatever it started, attempt check-failed", async () => {
  // long enough for the claude call before the check, however loaded the machine
  const seconds = await hangTimeoutSeconds(8);
  const sleep = ownSleep(127);
  const project = await withCheck(`sleep ${sleep}; echo never`, { 't.md': 'task' }, { timeoutSeconds: seconds });
  const out = await project.run(['run', 't.md']);
  expect(out.exitCode).toBe(1);
  const state = await project.taskState('t');
  expect(state.steps[0].attempts[0]).toMatchObject({ outcome: 'check-failed', error: `check failed (timed out after ${seconds}s)` });
  expect(sleepers(sleep)).toEqual([]);
});

/**
 * A `sleep` duration (about `seconds`) that no process of another test run uses: another suite on
 * the machine may be running this same test, and its sleeper is not ours to find.
 */
function ownSleep(seconds: number): string {
  return `${seconds}.${process.pid}`;
}

/** Pids of processes running `sleep <arg>`. */
function sleepers(arg: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${arg}\0`;
      } catch {
        return false;
      }
    })
    .map(Number);
}

it.concurrent('SIGTERM to claude-project alone stops a running check too, and the task is interrupted', async () => {
  const sleep = ownSleep(131);
  const project = await withCheck(`touch check-started; sleep ${sleep}; echo never`, { 't.md': 'task' });
  const cli = project.start(['run', 't.md']); // killed by execa's timeout if the check were waited for
  await waitFor('the check to start', () => existsSync(path.join(project.dir, 'check-started')));
  cli.kill('SIGTERM');
  const out = await cli;
  expect(out.exitCode).toBe(130);
  expect((await project.taskState('t')).phase).toBe('interrupted');
  expect(sleepers(sleep)).toEqual([]);
});

it.concurrent('SIGHUP is handled like SIGTERM: claude stopped, the task not left running', async () => {
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'WORK' }]),
    tasks: { 't.md': 'task' },
    scenario: {
      attempts: [{ lines: [init('h'), ...assistant({ id: 'm_h', model: SONNET, usage: snapshot(40), blocks: 1 })], hang: true }],
    },
  });
  const cli = project.start(['run', 't.md']);
  const rawLog = `${project.stepLogBase('t', 0, 'work')}.jsonl`;
  await waitFor(
    'the stream in the raw log',
    async () => existsSync(rawLog) && (await readFile(rawLog, 'utf8')).includes('"type":"assistant"'),
    20_000,
  );
  const [call] = await project.calls();
  cli.kill('SIGHUP');
  const out = await cli;
  expect(out.exitCode).toBe(130);
  expect(alive(call!.pid)).toBe(false);
  const state = await project.taskState('t');
  expect(state.phase).toBe('interrupted');
  expect(state.steps[0].attempts[0].outcome).toBe('interrupted');
});
