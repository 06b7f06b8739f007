import path from 'node:path';
import { configPathFor, loadConfig } from '../config/load.js';
import { applyRecount, recountTask } from '../pipeline/recount.js';
import { loadStates } from '../report/load-states.js';
import { updateJsonLocked } from '../state/locked-update.js';
import { sequenceStateFile } from '../state/paths.js';
import { acquireRunLock } from '../state/run-lock.js';
import { withTask, type SequenceState } from '../state/sequence-state.js';
import { TaskStore } from '../state/task-store.js';

/** `recount`: rebuild usage from the raw logs and report (or, with --fix, repair) any difference. */
export async function recountCommand(target: string | undefined, options: { config?: string; fix: boolean }): Promise<number> {
  const config = await loadConfig(configPathFor(options.config, process.cwd()));
  const loaded = await loadStates(config, target);
  let differing = 0;
  for (const task of loaded.tasks) {
    if (!task.state) continue;
    const slug = path.basename(task.stateFile).replace(/\.state\.json$/, '');
    const release = options.fix ? await acquireRunLock(task.stateFile, `Task ${task.taskPath}`) : async () => undefined;
    try {
      const recount = await recountTask(config, process.env, slug, task.state);
      const missing = recount.missingFromLog.length ? ` · ${recount.missingFromLog.length} attempt(s) without a raw log` : '';
      process.stdout.write(`${task.taskPath}: ${recount.attemptsChecked} attempt(s) recounted, ${recount.differences.length} difference(s)${missing}\n`);
      for (const d of recount.differences) {
        process.stdout.write(`  ${d.step} attempt ${d.attempt} ${d.model} ${d.field}: state ${d.state}, raw log ${d.log}\n`);
      }
      if (recount.differences.length === 0) continue;
      differing++;
      if (options.fix) {
        const fixed = await applyRecount(new TaskStore(task.stateFile, task.state.taskPath, task.state.taskName), recount);
        if (loaded.sequence?.tasks.some((t) => t.taskPath === fixed.taskPath)) {
          await updateJsonLocked<SequenceState>(sequenceStateFile(config.statePath), (s) => (s ? withTask(s, task.stateFile, fixed) : s!));
        }
        process.stdout.write(`  fixed: ${task.stateFile} now holds the numbers rebuilt from the raw logs\n`);
      }
    } finally {
      await release();
    }
  }
  if (differing === 0) process.stdout.write('State files match the raw logs.\n');
  return differing > 0 && !options.fix ? 1 : 0;
}
