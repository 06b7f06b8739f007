import { stat } from 'node:fs/promises';
import path from 'node:path';
import { taskStateNames } from '../../state/load-states.js';
import { readStateFile } from '../../state/read-state.js';
import { TaskStateSchema } from '../../state/task-state.js';
import { costsOf, type TaskCosts } from './task-costs.js';

/** Costs of the folder's task states as last read, by file, with the stamp of the file they were read from. */
const known = new Map<string, { stamp: string; costs: TaskCosts }>();

/**
 * The costs of every task state of the state folder but `ownFile`, in name order. Budgets ask
 * before every attempt, so a file is read again only when it was replaced since (every write
 * renames a new file over it: a new inode), and only its costs are kept. Files that vanish while
 * read (moved aside) are left out; one that does not parse or is not a task state is an error
 * when a cap depends on it (`strict`), else left out.
 */
export async function folderCosts(statePath: string, ownFile: string, strict: boolean): Promise<TaskCosts[]> {
  const costs: TaskCosts[] = [];
  for (const name of await taskStateNames(statePath)) {
    const file = path.join(statePath, name);
    if (file === ownFile) continue;
    const info = await stat(file).catch(() => undefined);
    if (!info) continue;
    const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    let entry = known.get(file);
    if (entry?.stamp !== stamp) {
      const state = await readStateFile(file, TaskStateSchema).catch((error: unknown) => {
        if (strict) throw error;
        return undefined;
      });
      if (!state) continue;
      entry = { stamp, costs: costsOf(state) };
      known.set(file, entry);
    }
    costs.push(entry.costs);
  }
  return costs;
}
