import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Jest's global setup: one code cache folder (src/compile-cache.ts) for every CLI process of this
 * run of the suite, whatever its test's HOME: the CLI's start-up is most of what the suite costs.
 * A folder of this run's own, so two suites side by side share nothing; the workers inherit the
 * variable, and test/integration/helpers.ts hands it to the CLI.
 */
export default async function setup() {
  process.env.CLAUDE_PROJECT_TEST_COMPILE_CACHE = await mkdtemp(path.join(os.tmpdir(), 'claude-project-compile-cache-'));
}
