/**
 * A process stopped inside the run lock's gate for longer than the gate lasts (SIGSTOP, a stalled
 * machine) must not let a second process run the same task beside it. The first process stops
 * itself (SIGSTOP) as it marks its owner file `acquired`, by a wrapper of `writeFile` loaded
 * before the built module: the file system is the outside world here, the lock code is the
 * compiled one. The second process waits out the gate by itself; the test only waits for events
 * (the first process stopped, a line from each).
 */
import { type ResultPromise, execa, execaSync } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, processState, waitFor } from './helpers.js';
import { removeTempDirs, tempDir } from '../support/temp-dirs.js';

afterAll(removeTempDirs);

const RUN_LOCK = pathToFileURL(path.join(REPO, 'dist', 'state', 'run-lock.js')).href;

/** Takes the run lock, says "held" (or why not) and keeps it until its stdin says so. */
const HOLDER = `import { acquireRunLock } from ${JSON.stringify(RUN_LOCK)};
try {
  const release = await acquireRunLock(process.argv[2], 'Task tasks/t.md');
  process.stdout.write('held\\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  await release();
  process.stdout.write('released\\n');
} catch (error) {
  process.stdout.write(\`refused: \${error.message}\\n\`);
}
`;

/** Stops this process as it writes an owner file that says "acquired". */
const STOP_WHEN_MARKED = `import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
const writeFile = fs.writeFile;
fs.writeFile = (file, data, ...rest) => {
  if (String(file).includes('.run.owner.') && String(data).includes('"acquired":true')) process.kill(process.pid, 'SIGSTOP');
  return writeFile(file, data, ...rest);
};
syncBuiltinESMExports();
`;

/** Whether the process is stopped (by a signal; `t` when a tracer such as strace sees it): from /proc, or from ps where there is none. */
function stopped(pid: number): boolean {
  if (existsSync('/proc/self')) return ['T', 't'].includes(processState(pid) ?? '');
  return execaSync('ps', ['-o', 'stat=', '-p', String(pid)], { reject: false })
    .stdout.trim()
    .startsWith('T');
}

function lines(child: ResultPromise): () => string[] {
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return () => out.split('\n').filter((line) => line.length > 0);
}

it('a process stopped in the gate past its staleness: the next one to pass runs the task, the stopped one is then refused', async () => {
  const dir = await tempDir('run-lock-stall-');
  await mkdir(path.join(dir, 'state'));
  await writeFile(path.join(dir, 'holder.mjs'), HOLDER);
  await writeFile(path.join(dir, 'stop-when-marked.mjs'), STOP_WHEN_MARKED);
  const stateFile = path.join(dir, 'state', 't.state.json');
  const run = (flags: string[]) =>
    execa(process.execPath, [...flags, path.join(dir, 'holder.mjs'), stateFile], { cwd: dir, reject: false });

  const first = run(['--import', pathToFileURL(path.join(dir, 'stop-when-marked.mjs')).href]);
  const firstSaid = lines(first);
  let second: ResultPromise | undefined;
  try {
    await waitFor('the first process to stop inside the gate', () => first.pid !== undefined && stopped(first.pid));
    second = run([]);
    const secondSaid = lines(second);
    // the gate goes stale after a few seconds without the stopped holder's refresh
    await waitFor('the second process to take the lock', () => secondSaid().length > 0);
    expect(secondSaid()).toEqual(['held']);

    process.kill(first.pid as number, 'SIGCONT');
    await waitFor('the first process to go on', () => firstSaid().length > 0);
    expect(firstSaid()).toEqual([
      expect.stringMatching(new RegExp(`^refused: Task tasks/t\\.md is already being run by process ${second.pid} `)),
    ]);

    second.stdin?.end('release\n');
    expect((await second).exitCode).toBe(0);
    expect(secondSaid()).toEqual(['held', 'released']);
  } finally {
    first.kill('SIGKILL');
    second?.kill('SIGKILL');
    await Promise.allSettled([first, second]);
  }
});
