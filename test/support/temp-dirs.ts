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

export async function removeTempDirs(): Promise<void> {
  if (process.env.KEEP_TMP) return;
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}
