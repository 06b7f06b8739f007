import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from '../integration/helpers.js';

/**
 * The order jest runs the test files in on a fresh clone (no timings of an earlier run): the
 * slowest first, so that none starts last and runs alone beside idle workers.
 */

interface TestFile {
  path: string;
  context: { config: { cache: boolean } };
}
interface Sequencer {
  sort(tests: TestFile[]): TestFile[];
}

const freshClone = (relative: string): TestFile => ({ path: path.join(REPO, relative), context: { config: { cache: false } } });

async function order(files: string[]): Promise<string[]> {
  const url = pathToFileURL(path.join(REPO, 'test', 'slow-first-sequencer.mjs')).href;
  const { default: SlowFirstSequencer } = (await import(url)) as { default: new () => Sequencer };
  return new SlowFirstSequencer().sort(files.map(freshClone)).map((test) => path.relative(REPO, test.path));
}

it('runs the stream fuzz (thousands of cases) before the integration files and the quick unit files', async () => {
  const sorted = await order(['test/unit/config.test.ts', 'test/unit/stream-fuzz.test.ts', 'test/integration/run.test.ts']);
  expect(sorted).toEqual(['test/unit/stream-fuzz.test.ts', 'test/integration/run.test.ts', 'test/unit/config.test.ts']);
});

it('runs the reliability and end-to-end files first, then integration, report and support; ties in name order', async () => {
  const sorted = await order([
    'test/support/chromium.test.ts',
    'test/report/status.test.ts',
    'test/integration/b.test.ts',
    'test/integration/a.test.ts',
    'test/e2e/budget.test.ts',
    'test/reliability/kill.test.ts',
  ]);
  expect(sorted).toEqual([
    'test/reliability/kill.test.ts',
    'test/e2e/budget.test.ts',
    'test/integration/a.test.ts',
    'test/integration/b.test.ts',
    'test/report/status.test.ts',
    'test/support/chromium.test.ts',
  ]);
});
