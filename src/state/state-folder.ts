import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { stateFileName, type StateFileName } from './ids.js';

const TASK_STATE_SUFFIX = '.state.json';
const SEQUENCE_STATE_NAME = 'sequence.state.json';

/**
 * The task state files of a state folder (`*.state.json` but the sequence's; not folders, not hidden
 * files), in name order; none when it does not exist. Every command that lists a state folder uses it.
 */
export async function listTaskStateNames(statePath: string): Promise<StateFileName[]> {
  const entries = await readdir(statePath, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const named = entries.filter(
    (entry) =>
      // hidden files (macOS's `._<name>`) are never task states
      entry.name.endsWith(TASK_STATE_SUFFIX) && entry.name !== SEQUENCE_STATE_NAME && !entry.name.startsWith('.'),
  );
  const states: StateFileName[] = [];
  for (const entry of named) {
    // A symlink is read as the file it points to: one that points nowhere, or to a folder, is no task state.
    const isFile =
      entry.isFile() ||
      (entry.isSymbolicLink() &&
        (await stat(path.join(statePath, entry.name)).then(
          (s) => s.isFile(),
          () => false,
        )));
    if (isFile) states.push(stateFileName(entry.name));
  }
  return states.sort();
}

/** A task's logs folder is named after its state file: `<logsPath>/<name without .state.json>/`. */
export function taskLogsDir(logsPath: string, name: StateFileName): string {
  return path.join(logsPath, name.slice(0, -TASK_STATE_SUFFIX.length));
}

/** The logs folder beside a state folder, as the default config lays them out (`.claude-project/{state,logs}`). */
export function siblingLogsPath(statePath: string): string {
  return path.join(path.dirname(path.resolve(statePath)), 'logs');
}
