import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { REPO } from '../integration/helpers.js';
import { removeTempDirs, tempDir } from './temp-dirs.js';

/**
 * The reporter every run of this suite has (jest.config.js) ends jest's workers once all results
 * are in, so jest never waits for a worker to act on its "end" message. Shown on a real jest run
 * of two test files whose workers never act on it: their event loop is blocked from that message
 * on, as a worker's is while it collects a large heap on a loaded machine.
 */

const JEST = path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js');
const REPORTER = path.join(REPO, 'test', 'end-workers-reporter.mjs');
const WARNING = 'A worker process has failed to exit gracefully';

afterAll(removeTempDirs);

/** A jest project of two passing files, in a folder of its own (jest then has no timings, and uses workers). */
async function project(): Promise<string> {
  const dir = await tempDir('end-workers-');
  await writeFile(
    path.join(dir, 'blocked-at-end.cjs'),
    `const { TestEnvironment } = require(${JSON.stringify(path.join(REPO, 'node_modules', 'jest-environment-node'))});
// jest-worker's "end" message ([2, …]) finds this worker's event loop blocked, for good
process.on('message', (message) => {
  if (Array.isArray(message) && message[0] === 2) for (;;);
});
module.exports = TestEnvironment;
`,
  );
  for (const name of ['a', 'b']) await writeFile(path.join(dir, `${name}.test.js`), `test('${name}', () => {});\n`);
  return dir;
}

async function runJest(reporters: string[]) {
  const dir = await project();
  const config = {
    rootDir: dir,
    testMatch: ['<rootDir>/*.test.js'],
    testEnvironment: '<rootDir>/blocked-at-end.cjs',
    transform: {},
    watchman: false,
    maxWorkers: 2,
    cacheDirectory: path.join(dir, 'cache'),
    reporters,
  };
  return execa(process.execPath, [JEST, '--config', JSON.stringify(config)], { cwd: dir, reject: false, all: true });
}

it('without it, jest warns that a worker failed to exit (the project reproduces the case)', async () => {
  const result = await runJest(['default']);
  expect(result.all).toContain(WARNING);
  expect(result.all).toContain('Tests:       2 passed, 2 total');
});

it('with it, jest ends without that warning, and every result is reported', async () => {
  const result = await runJest(['default', REPORTER]);
  expect(result.all).not.toContain(WARNING);
  expect(result.all).toContain('Tests:       2 passed, 2 total');
  expect(result.exitCode).toBe(0);
});
