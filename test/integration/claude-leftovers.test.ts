/**
 * What claude started and left running when it ended (a background command holding its stderr,
 * say) neither keeps the step waiting for ever nor outlives the call: the rest of claude's process
 * group is stopped once claude has exited.
 */
import { existsSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FAKE_CLAUDE, Project, SONNET, alive, assistant, billed, cleanup, config, init, result, snapshot, waitFor } from './helpers.js';

afterAll(cleanup);

const WRAPPER = 'bin/claude-leaving-a-child';
const wrapper = ['#!/bin/sh', 'sleep 100000 &', 'echo $! > child.pid', `exec "${FAKE_CLAUDE}" "$@"`, ''].join('\n');

describe("claude's leftovers", () => {
  it.concurrent('a child that outlives claude and holds its stderr: the step still ends (done, exit 0) and the child is stopped', async () => {
    const project = await Project.create({
      config: config([{ name: 'first', prompt: 'FIRST' }], { claude: { command: WRAPPER } }),
      tasks: { 'tasks/t.md': 'x\n', [WRAPPER]: wrapper },
      scenario: {
        attempts: [
          {
            lines: [
              init('s'),
              ...assistant({ id: 'm', model: SONNET, usage: snapshot(10), blocks: 1 }),
              result({ modelUsage: { [SONNET]: billed(10, 1, 0, 0, 0.0001) } }),
            ],
          },
        ],
      },
    });
    await chmod(path.join(project.dir, WRAPPER), 0o755);
    const childPidFile = path.join(project.dir, 'child.pid');
    const cli = project.start(['run', 'tasks/t.md']);
    let child: number | undefined;
    try {
      await waitFor('the child pid', async () => existsSync(childPidFile) && (await readFile(childPidFile, 'utf8')).endsWith('\n'));
      child = Number((await readFile(childPidFile, 'utf8')).trim());
      const run = await cli;
      expect(run.exitCode).toBe(0);
      expect((await project.taskState('t')).phase).toBe('done');
      await waitFor('the child to be gone', () => !alive(child!));
    } finally {
      if (child !== undefined && alive(child)) process.kill(child, 'SIGKILL');
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  }, 45_000);

  it.concurrent('a claude that gives its result and never exits is stopped after claude.exitAfterResultSeconds, the call judged by its result: passed, billed once', async () => {
    const project = await Project.create({
      config: config([{ name: 'first', prompt: 'FIRST' }], {
        claude: { command: FAKE_CLAUDE, exitAfterResultSeconds: 1 },
        timeoutSeconds: 3600,
      }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [{ lines: [init('s'), result({ modelUsage: { [SONNET]: billed(10, 1, 0, 0, 0.0001) } })], hang: true }],
      },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(0);
    const state = await project.taskState('t');
    expect(state.phase).toBe('done');
    expect(state.steps[0].attempts).toEqual([expect.objectContaining({ outcome: 'passed', usageSource: 'result' })]);
    const [call] = await project.calls();
    expect(alive(call!.pid)).toBe(false);
    expect((await project.stepLogs('t', 0, 'first')).log).toContain(
      'claude did not exit within 1s of its result (claude.exitAfterResultSeconds): stopped',
    );
  });

  it.concurrent("a daemon outside claude's group holding its stderr: the step ends while it still runs (not stopped: it is not claude's)", async () => {
    const project = await Project.create({
      config: config([{ name: 'first', prompt: 'FIRST' }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [{ lines: [init('s'), result({ modelUsage: { [SONNET]: billed(10, 1, 0, 0, 0.0001) } })], daemonHoldingStderr: true }],
      },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    const daemon = Number(await readFile(path.join(project.recordDir, 'daemon.pid'), 'utf8'));
    try {
      expect(run.exitCode).toBe(0);
      // the run ended while the daemon (a 600 s sleep) holds claude's stderr: nothing waited for it
      expect(alive(daemon)).toBe(true);
    } finally {
      if (alive(daemon)) process.kill(daemon, 'SIGKILL');
    }
  });

  it.concurrent("a check's leftovers: one in its group is stopped when it exits, one in a session of its own no longer holds the step", async () => {
    const check = 'sleep 100000 & echo $! > bg.pid; setsid sleep 600 & echo $! > daemon.pid; echo started';
    const project = await Project.create({
      config: config([{ name: 'first', prompt: 'FIRST', check: { command: check } }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [{ lines: [init('s'), result({ modelUsage: { [SONNET]: billed(10, 1, 0, 0, 0.0001) } })] }] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    const pidOf = async (file: string): Promise<number> => Number(await readFile(path.join(project.dir, file), 'utf8'));
    const [background, daemon] = [await pidOf('bg.pid'), await pidOf('daemon.pid')];
    try {
      expect(run.exitCode).toBe(0);
      expect(alive(daemon)).toBe(true);
      await waitFor("the check's background child to be gone", () => !alive(background));
    } finally {
      for (const pid of [background, daemon]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it.concurrent('kill -9 of claude-project: the next run stops the orphaned claude and what it started', async () => {
    const quietWrapper = [
      '#!/bin/sh',
      'sleep 100000 </dev/null >/dev/null 2>&1 &',
      'echo $! > child.pid',
      `exec "${FAKE_CLAUDE}" "$@"`,
      '',
    ].join('\n');
    const ok = {
      lines: [
        init('s'),
        ...assistant({ id: 'm', model: SONNET, usage: snapshot(10), blocks: 1 }),
        result({ modelUsage: { [SONNET]: billed(10, 1, 0, 0, 0.0001) } }),
      ],
    };
    const project = await Project.create({
      config: config([{ name: 'first', prompt: 'FIRST' }], { claude: { command: WRAPPER } }),
      tasks: { 'tasks/t.md': 'x\n', [WRAPPER]: quietWrapper },
      scenario: {
        attempts: [{ lines: [init('h'), ...assistant({ id: 'h', model: SONNET, usage: snapshot(10), blocks: 1 })], hang: true }, ok],
      },
    });
    await chmod(path.join(project.dir, WRAPPER), 0o755);
    const childPidFile = path.join(project.dir, 'child.pid');
    const cli = project.start(['run', 'tasks/t.md']);
    const pids: number[] = [];
    try {
      await waitFor('the child pid', async () => existsSync(childPidFile) && (await readFile(childPidFile, 'utf8')).endsWith('\n'));
      pids.push(Number((await readFile(childPidFile, 'utf8')).trim()));
      await waitFor('the pid of claude in the state', async () => {
        const state = await project.taskState('t').catch(() => undefined);
        return state?.steps?.[0]?.attempts?.[0]?.pid !== undefined;
      });
      await waitFor('call 1', async () => (await project.calls()).length >= 1);
      cli.kill('SIGKILL');
      await cli.catch(() => undefined);
      const [call] = await project.calls();
      pids.push(call!.pid);
      expect(pids.every(alive)).toBe(true);
      const again = await project.run(['run', 'tasks/t.md']);
      expect(again.exitCode).toBe(0);
      expect(alive(call!.pid)).toBe(false);
      await waitFor("the orphan's child to be gone", () => !alive(pids[0]!));
    } finally {
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  }, 45_000);
});
