import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { acquireRunLock } from './run-lock.js';
import { readLegacyState, type TaskFiles } from './task-files.js';

/**
 * Moves an earlier version's `<slug>.state.json` of this task (and its `<slug>/` logs) to the
 * task's own names, so its usage and its "done" carry over. Called with the task's run lock
 * held; the old file's run lock is taken too, so a run of an earlier version is not disturbed.
 * The logs move first: a kill between the two renames leaves the old state to be moved next time.
 */
export async function adoptLegacyState(files: TaskFiles): Promise<string | undefined> {
  const legacy = files.legacy;
  if (!legacy || existsSync(files.stateFile) || !existsSync(legacy.stateFile)) return undefined;
  const release = await acquireRunLock(legacy.stateFile, `Task ${files.taskPath} (state ${path.basename(legacy.stateFile)})`);
  try {
    if (!(await readLegacyState(files))) return undefined;
    if (existsSync(legacy.logsDir) && !existsSync(files.logsDir)) await rename(legacy.logsDir, files.logsDir);
    await rename(legacy.stateFile, files.stateFile);
    return legacy.stateFile;
  } finally {
    await release();
  }
}
