import path from 'node:path';
import { configPathFor, loadConfig } from '../config/load.js';
import { applyRecount, compareUsage, recountTask, type UsageDifference } from '../pipeline/recount.js';
import { loadStates } from '../state/load-states.js';
import { updateJsonLocked } from '../state/locked-update.js';
import { sequenceStateFile } from '../state/paths.js';
import { readStateFile } from '../state/read-state.js';
import { acquireRunLock } from '../state/run-lock.js';
import { SequenceStateSchema, withSequenceTotals, withTask, type SequenceState } from '../state/sequence-state.js';
import type { TaskState } from '../state/task-state.js';
import { TaskStore } from '../state/task-store.js';
import { storedTaskPath } from '../state/ids.js';
import { rollUp } from '../state/roll-up.js';
import type { ModelTokenUsage } from '../usage/types.js';

/** `recount`: rebuild usage from the raw logs and report (or, with --fix, repair) any difference. */
export async function recountCommand(target: string | undefined, options: { config?: string; fix: boolean }): Promise<number> {
  const config = await loadConfig(configPathFor(options.config, process.cwd()));
  const loaded = await loadStates(config, target);
  let differing = 0;
  /** Tasks with an attempt whose raw log is gone: nothing to check it against, so never a match. */
  let tasksWithoutLog = 0;
  /** Each task's total as the raw logs give it, and its state after a --fix. */
  const rebuiltTotals = new Map<string, ModelTokenUsage>();
  const current = new Map<string, { stateFile: string; state: TaskState }>();
  for (const task of loaded.tasks) {
    if (!task.state) continue;
    const slug = path.basename(task.stateFile).replace(/\.state\.json$/, '');
    const release = options.fix ? await acquireRunLock(task.stateFile, `Task ${task.taskPath}`) : async () => undefined;
    try {
      const recount = await recountTask(config, process.env, slug, task.state);
      rebuiltTotals.set(task.state.taskPath, recount.total);
      current.set(task.state.taskPath, { stateFile: task.stateFile, state: task.state });
      const withoutLog = recount.missingFromLog.length ? ` · ${recount.missingFromLog.length} attempt(s) without a raw log` : '';
      process.stdout.write(
        `${task.taskPath}: ${recount.attemptsChecked} attempt(s) recounted, ${recount.differences.length} difference(s)${withoutLog}\n`,
      );
      for (const a of recount.unfinished) {
        process.stdout.write(`  ${a.step} attempt ${a.attempt} is not finished (running, or cut off): skipped\n`);
      }
      for (const a of recount.missingFromLog) process.stdout.write(`  ${a.step} attempt ${a.attempt}: raw log missing (${a.log})\n`);
      if (recount.missingFromLog.length > 0) tasksWithoutLog++;
      writeDifferences(recount.differences);
      if (recount.differences.length === 0) continue;
      differing++;
      if (options.fix && recount.differences.some((d) => !d.kept)) {
        const fixed = await applyRecount(new TaskStore(task.stateFile, storedTaskPath(task.state.taskPath), task.state.taskName), recount);
        current.set(fixed.taskPath, { stateFile: task.stateFile, state: fixed });
        const kept = recount.differences.some((d) => d.kept) ? ' (except those kept above)' : '';
        process.stdout.write(`  fixed: ${task.stateFile} now holds the numbers rebuilt from the raw logs${kept}\n`);
      }
    } finally {
      await release();
    }
  }
  const sequence = loaded.sequence && (await readStateFile(sequenceStateFile(config.statePath), SequenceStateSchema));
  if (sequence && (await recountSequence(config.statePath, sequence, rebuiltTotals, current, options.fix)) > 0) differing++;
  if (tasksWithoutLog > 0) {
    process.stdout.write(`${tasksWithoutLog} task(s) have attempts whose raw log is missing: their numbers cannot be checked.\n`);
  } else if (differing === 0) process.stdout.write('State files match the raw logs.\n');
  return tasksWithoutLog > 0 || (differing > 0 && !options.fix) ? 1 : 0;
}

/**
 * The sequence's per-task entries and its total against the tasks' rebuilt totals (entries of
 * tasks not recounted are taken as they are). With --fix, the entries are refreshed from the
 * task states, which recomputes the total. Returns the number of differences.
 */
async function recountSequence(
  statePath: string,
  sequence: SequenceState,
  rebuiltTotals: Map<string, ModelTokenUsage>,
  current: Map<string, { stateFile: string; state: TaskState }>,
  fix: boolean,
): Promise<number> {
  const differences: UsageDifference[] = [];
  for (const entry of sequence.tasks) {
    const rebuilt = rebuiltTotals.get(entry.taskPath);
    if (rebuilt) differences.push(...compareUsage(`sequence.state.json ${entry.taskPath}`, entry.tokenUsage, rebuilt));
  }
  const total = rollUp(sequence.tasks.map((e) => rebuiltTotals.get(e.taskPath) ?? e.tokenUsage)).tokenUsage;
  differences.push(...compareUsage('sequence.state.json total', sequence.stats.totalTokenUsage, total));
  if (differences.length === 0) return 0;
  process.stdout.write(`sequence.state.json: ${differences.length} difference(s)\n`);
  writeDifferences(differences);
  if (fix) {
    const file = sequenceStateFile(statePath);
    await updateJsonLocked(file, SequenceStateSchema, (s) => {
      if (!s) return s!;
      let next = s;
      for (const entry of s.tasks) {
        const task = current.get(entry.taskPath);
        if (task) next = withTask(next, task.stateFile, task.state);
      }
      return withSequenceTotals(next);
    });
    process.stdout.write(`  fixed: ${file} now holds the tasks' rebuilt totals\n`);
  }
  return differences.length;
}

function writeDifferences(differences: UsageDifference[]): void {
  const value = (n: number | null): string => (n === null ? 'unknown' : String(n));
  for (const d of differences) {
    const kept = d.kept ? ` (kept: the state's numbers come from ${d.kept.stateSource}, the raw log gives only ${d.kept.logSource})` : '';
    process.stdout.write(`  ${d.where} ${d.model} ${d.field}: state ${value(d.state)}, raw log ${value(d.log)}${kept}\n`);
  }
}
