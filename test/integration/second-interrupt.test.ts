/**
 * A second Ctrl-C while claude ignores SIGTERM: claude's whole process group (claude and what it
 * started) is SIGKILLed at once, the attempt and task are still recorded interrupted, exit 130.
 */
import { existsSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FAKE_CLAUDE, Project, SONNET, alive, assistant, cleanup, config, init, snapshot, waitFor } from './helpers.js';

afterAll(cleanup);

/** claude.command: starts a child that would run for ever (claude's tool, say), then becomes the fake claude. */
const WRAPPER = 'bin/claude-with-a-child';
const wrapper = ['#!/bin/sh', 'sleep 100000 </dev/null >/dev/null 2>&1 &', 'echo $! > child.pid', `exec "${FAKE_CLAUDE}" "$@"`, ''].join(
  '\n',
);

describe('a second interrupt', () => {
  it.concurrent('SIGKILLs a claude that ignores SIGTERM and its whole process group, records the attempt interrupted, exits 130', async () => {
    const project = await Project.create({
      config: config([{ name: 'first', prompt: 'FIRST' }], { claude: { command: WRAPPER } }),
      tasks: { 'tasks/t.md': 'x\n', [WRAPPER]: wrapper },
      scenario: {
        attempts: [
          {
            lines: [init('h'), ...assistant({ id: 'm_h', model: SONNET, usage: snapshot(40, 100, 200), blocks: 2 })],
            hang: true,
            ignoreSigterm: true,
          },
        ],
      },
    });
    await chmod(path.join(project.dir, WRAPPER), 0o755);
    const childPidFile = path.join(project.dir, 'child.pid');
    const signals = path.join(project.recordDir, 'signals.jsonl');
    const rawLog = `${project.stepLogBase('t', 0, 'first')}.jsonl`;
    const cli = project.start(['run', 'tasks/t.md']);
    let pids: number[] = [];
    try {
      await waitFor(
        'the stream in the raw log',
        async () => existsSync(rawLog) && (await readFile(rawLog, 'utf8')).includes('"type":"assistant"'),
      );
      await waitFor('the child pid', async () => existsSync(childPidFile) && (await readFile(childPidFile, 'utf8')).endsWith('\n'));
      const [call] = await project.calls();
      const child = Number((await readFile(childPidFile, 'utf8')).trim());
      pids = [call!.pid, child];
      process.kill(cli.pid!, 'SIGINT');
      // claude was asked to stop, and ignored it
      await waitFor('the ignored SIGTERM', () => existsSync(signals));
      process.kill(cli.pid!, 'SIGINT');
      const run = await cli;
      expect(run.exitCode).toBe(130);
      expect(alive(call!.pid)).toBe(false);
      // what claude started went with it (reaped by init, so wait for it to be gone)
      await waitFor('the child to be gone', () => !alive(child));
      const state = await project.taskState('t');
      expect(state.phase).toBe('interrupted');
      expect(state.steps[0].status).toBe('interrupted');
      expect(state.steps[0].attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['interrupted']);
      expect(run.stderr).toMatch(/SIGINT again: killing claude now/);
    } finally {
      // whatever the outcome, nothing of this test is left running
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  });
});
