import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Temporary folders of a test file, removed by `afterAll(removeTempDirs)` (kept when KEEP_TMP is
 * set, to look into). Nothing may wait for the process to exit: a jest worker ends by SIGKILL
 * (test/quick-exit-environment.mjs).
 */
const made: string[] = [];

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** One of them, before the test file ends (a test's own project, as it closes). */
export async function removeTempDir(dir: string): Promise<void> {
  if (process.env.KEEP_TMP) return;
  const at = made.indexOf(dir);
  if (at !== -1) made.splice(at, 1);
  await rm(dir, { recursive: true, force: true });
}

export async function removeTempDirs(): Promise<void> {
  if (process.env.KEEP_TMP) return;
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}
