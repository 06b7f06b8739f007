import { rm } from 'node:fs/promises';

/** Jest's global teardown: removes the run's code cache folder (test/compile-cache-setup.mjs). */
export default async function teardown() {
  const folder = process.env.CLAUDE_PROJECT_TEST_COMPILE_CACHE;
  if (folder) await rm(folder, { recursive: true, force: true });
}
