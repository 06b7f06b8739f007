import { findStates, isCopy, loadTask, type StateLocation } from '../state/load-states.js';
import { sequenceData, StatusTotalsSum, taskData } from './status-data.js';
import { statusEnd, taskBlock } from './status-text.js';

/** State files read at once: a few, so memory stays flat however many tasks there are. */
const BATCH = 32;

/**
 * The `status` text, written task by task as each state file is read, so that a folder of
 * thousands of tasks is never held in memory at once; the same text as `formatStatus`.
 */
export async function writeStatusText(
  config: StateLocation,
  target: string | undefined,
  folderSpentUsd: number | null,
  write: (text: string) => Promise<void>,
): Promise<void> {
  const found = await findStates(config, target);
  if (found.tasks.length === 0) return write('No task state found: nothing has run yet.\n');
  const totals = new StatusTotalsSum();
  for (let i = 0; i < found.tasks.length; i += BATCH) {
    const batch = found.tasks.slice(i, i + BATCH);
    const loaded = (await Promise.all(batch.map((task) => loadTask(config, task)))).filter((task, n) => !isCopy(batch[n]!, task.state));
    await write(loaded.map((task) => `${taskBlock(taskData(task, folderSpentUsd))}\n\n`).join(''));
    for (const task of loaded) totals.add(task.state);
  }
  const sequence = found.sequence ? sequenceData(found.sequence, folderSpentUsd) : null;
  await write(statusEnd(sequence, totals.totals()));
}
