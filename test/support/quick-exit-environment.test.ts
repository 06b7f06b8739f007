import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { getPriority } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from '../integration/helpers.js';

/**
 * The test environment every test file runs in (jest.config.js) makes a jest worker end as soon
 * as jest tells it to end, even with something still holding its event loop, and runs it at nice
 * 10: waiting for the loop to run dry (and the heap to be freed), and jest's own process waiting
 * for a core, are what made jest kill workers on a loaded machine.
 */

const ENVIRONMENT = pathToFileURL(path.join(REPO, 'test', 'quick-exit-environment.mjs')).href;

/** jest-worker's parent-to-child messages: [0] initialize, [1] call, [2] end. */
const CALL = [1];
const END = [2, false];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'quick-exit-'));
  // a worker-like process: it builds the environment as jest does, then keeps its loop busy for good
  await writeFile(
    path.join(dir, 'worker.mjs'),
    `import Environment from ${JSON.stringify(ENVIRONMENT)};
import { getPriority } from 'node:os';
new Environment(
  { globalConfig: {}, projectConfig: { testEnvironmentOptions: {}, globals: {} } },
  { console, docblockPragmas: {}, testPath: 'x.test.ts' },
);
setInterval(() => {}, 60_000);
process.on('message', (message) => {
  if (message === 'ping') process.send('pong');
  if (message === 'priority') process.send(getPriority());
});
process.send('ready');
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function nextMessage(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve) => child.once('message', resolve));
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

it('a worker told to end ends at once (SIGKILL to itself), although a timer would keep it running', async () => {
  const child = fork(path.join(dir, 'worker.mjs'), { stdio: 'ignore' });
  try {
    expect(await nextMessage(child)).toBe('ready');
    const exit = exited(child);
    child.send(END);
    expect(await exit).toEqual({ code: null, signal: 'SIGKILL' });
  } finally {
    child.kill('SIGKILL');
  }
});

it('any other message from jest leaves the worker running, at a lower priority than jest (nice 10)', async () => {
  const child = fork(path.join(dir, 'worker.mjs'), { stdio: 'ignore' });
  try {
    expect(await nextMessage(child)).toBe('ready');
    child.send(CALL);
    child.send('ping');
    // messages arrive in order: an answer to the ping means the call did not end the worker
    expect(await nextMessage(child)).toBe('pong');
    expect(child.exitCode).toBeNull();
    // nice 10, or lower still if the process that started it already ran lower (as a jest worker does)
    child.send('priority');
    expect(await nextMessage(child)).toBe(Math.max(getPriority(), 10));
  } finally {
    const exit = exited(child);
    child.kill('SIGKILL');
    await exit;
  }
});
