import Sequencer from '@jest/test-sequencer';

/**
 * Jest runs the slowest test files first, so that no long file starts last and runs alone while
 * the other worker idles. Jest knows a file's time from an earlier run on this machine; on a
 * fresh clone it falls back to the file's size, which says little here (a short file can spawn
 * hundreds of processes), so a file with no time yet is placed by its folder's typical time, or
 * by its own for a file far slower than the rest of its folder.
 */
const TYPICAL_SECONDS = [
  // unit files far slower than the others: the fuzz, started last, ran alone for its last 12 s
  ['/test/unit/stream-fuzz.test.ts', 30],
  ['/test/unit/examples-lint.test.ts', 10],
  ['/test/reliability/', 60],
  ['/test/e2e/', 45],
  ['/test/integration/', 20],
  ['/test/report/', 15],
  ['/test/support/', 5],
];

export default class SlowFirstSequencer extends Sequencer.default {
  sort(tests) {
    const failedFirst = (test) => (this.hasFailed(test) ? 1 : 0);
    const expected = (test) => this.time(test) ?? 1000 * (TYPICAL_SECONDS.find(([folder]) => test.path.includes(folder))?.[1] ?? 1);
    return [...tests].sort((a, b) => failedFirst(b) - failedFirst(a) || expected(b) - expected(a) || (a.path < b.path ? -1 : 1));
  }
}
