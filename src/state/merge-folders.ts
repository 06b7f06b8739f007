import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors/user-error.js';
import { writeTextAtomic } from './atomic-json.js';
import { copyFileAtomic, exists, filesUnder, sameContent } from './copy-files.js';
import { prettyJsonChunks, StreamedList } from './json-chunks.js';
import { byTaskPath, type MergedTask, mergedSequenceOverview, missingShards, type SequenceInput } from './merge-sequence.js';
import { sequenceStateFile } from './paths.js';
import { checkState } from './read-state.js';
import { readSequenceOverview, type SequenceOverview } from './sequence-overview.js';
import { RollUp } from './roll-up.js';
import { SpendStatsSum } from './spend-totals.js';
import { sequenceEntry, type SequenceTaskEntry } from './sequence-state.js';
import { mapLimit } from './map-limit.js';
import { realPath } from './real-path.js';
import { listTaskStateNames, siblingLogsPath, taskLogsDir } from './state-folder.js';
import type { StateFileName } from './ids.js';
import { TaskStateSchema } from './task-state.js';
import { verifiedTaskState } from './verify-task-state.js';

export interface StateFolder {
  statePath: string;
  logsPath: string;
}

/** One task as merge found it first; later copies must be byte-identical. Its usage is read again when the sequence state is written. */
interface FoundTask extends MergedTask {
  /** The state file's name in `folder` (its path is joined when needed: 10,000 joined paths held at once cost megabytes). */
  name: StateFileName;
  folder: StateFolder;
  hash: string;
  /** Already in the folder merged into. */
  inTarget: boolean;
}

/** Files read, compared or copied at once: enough to keep the disk busy, few enough to keep memory flat. */
const PARALLEL_FILES = 16;

export interface MergeResult {
  sequenceFile: string;
  sequence: SequenceOverview;
  copied: number;
  alreadyThere: number;
  /** The same task, byte-identical, in more than one folder: taken once. */
  duplicates: number;
  missingShards: number[];
  /** Task states whose logs folder was not found beside their state folder. */
  withoutLogs: string[];
}

/**
 * A state folder with its logs where the default layout keeps them: `<state>/../logs`. By its real
 * path, so that a folder reached through a symlink or as `S/.` is the same folder.
 */
export function stateFolder(statePath: string): StateFolder {
  const real = realPath(statePath);
  return { statePath: real, logsPath: siblingLogsPath(statePath) };
}

/**
 * Gathers the task states (and their logs) of `sources` into `target`, then writes the target's
 * sequence state from all the task states it holds. Everything is read and checked before
 * anything is written: a conflict leaves the target as it was. What the target already holds
 * takes part like a source, so merging again changes nothing and shards can be added one by one.
 * Memory does not grow with the tasks' usage: each task is kept as its path, phase and hash, and
 * the merged sequence state is written entry by entry.
 */
export async function mergeStateFolders(sources: StateFolder[], target: StateFolder): Promise<MergeResult> {
  const others = dedupe(sources).filter((s) => s.statePath !== target.statePath);
  for (const source of others) {
    const info = await stat(source.statePath).catch(() => undefined);
    if (!info) throw new UserError(`${source.statePath}: state folder not found.`);
    if (!info.isDirectory()) throw new UserError(`${source.statePath}: not a folder; give the state folder of a shard (its statePath).`);
  }
  const byTask = new Map<string, FoundTask>();
  let duplicates = 0;
  for (const folder of [target, ...others]) {
    const names = await listTaskStateNames(folder.statePath);
    for (let i = 0; i < names.length; i += PARALLEL_FILES) {
      const read = await mapLimit(names.slice(i, i + PARALLEL_FILES), PARALLEL_FILES, (name) => readTaskState(folder, name));
      for (const { name, hash, taskPath, phase } of read) {
        const seen = byTask.get(taskPath);
        if (!seen) {
          byTask.set(taskPath, { name, folder, hash, taskPath, phase, inTarget: folder === target });
          continue;
        }
        if (seen.hash !== hash) {
          throw new UserError(
            `${fileOf(seen)} and ${path.join(folder.statePath, name)} hold different states of task ${taskPath}; merge will not choose between them. Keep the one you trust and merge again.`,
          );
        }
        duplicates++;
      }
    }
  }
  const found = [...byTask.values()];
  byTask.clear();
  refuseSharedNames(found);
  const toCopy = found.filter((t) => !t.inTarget);
  if (await exists(target.logsPath)) await mapLimit(toCopy, PARALLEL_FILES, (task) => refuseDifferentLogs(task, target));
  const tasks = found.sort(byTaskPath);
  const overview = mergedSequenceOverview(await sequenceInputs([target, ...others]), tasks);

  const copiedLogs = await mapLimit(toCopy, PARALLEL_FILES, (task) => copyTask(task, target));
  const withoutLogs = toCopy.filter((task, i) => copiedLogs[i] === 0 && task.phase !== 'pending').map(fileOf);
  const sequenceFile = sequenceStateFile(target.statePath);
  const sequence = await writeMergedSequence(sequenceFile, overview, tasks, target);
  return {
    sequenceFile,
    sequence,
    copied: toCopy.length,
    alreadyThere: tasks.length - toCopy.length,
    duplicates,
    missingShards: missingShards(sequence.mergedShards ?? []),
    withoutLogs,
  };
}

/** One task state file, read and checked: what merge keeps of it. */
async function readTaskState(folder: StateFolder, name: StateFileName): Promise<Omit<FoundTask, 'folder' | 'inTarget'>> {
  const file = path.join(folder.statePath, name);
  const text = await readFile(file, 'utf8');
  const { taskPath, phase } = verifiedTaskState(file, text);
  return { name, hash: hashOf(text), taskPath, phase };
}

const fileOf = (task: FoundTask) => path.join(task.folder.statePath, task.name);

/** Only compared, never shown: as 32 one-byte characters ('binary' is latin1) it takes half the memory of hex. */
const hashOf = (text: string) => createHash('sha256').update(text).digest('binary');

/** Two different tasks under one state file name cannot both be copied into one folder. */
function refuseSharedNames(tasks: FoundTask[]): void {
  const byName = [...tasks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < byName.length; i++) {
    const [first, second] = [byName[i - 1]!, byName[i]!];
    if (first.name === second.name)
      throw new UserError(
        `${fileOf(first)} and ${fileOf(second)} share a file name but are different tasks (${first.taskPath}, ${second.taskPath}).`,
      );
  }
}

/**
 * Writes the merged sequence state, its `tasks` entries read again from the target one batch at
 * a time (in `tasks` order) and summed as they go; returns the overview with the totals.
 */
async function writeMergedSequence(
  sequenceFile: string,
  overview: SequenceOverview,
  tasks: FoundTask[],
  target: StateFolder,
): Promise<SequenceOverview> {
  const sum = new RollUp();
  const spend = new SpendStatsSum();
  async function* entries(): AsyncGenerator<SequenceTaskEntry> {
    for (let i = 0; i < tasks.length; i += PARALLEL_FILES) {
      for (const entry of await mapLimit(tasks.slice(i, i + PARALLEL_FILES), PARALLEL_FILES, (task) => mergedEntry(task, target))) {
        sum.add(entry.tokenUsage);
        spend.add(entry);
        yield entry;
      }
    }
  }
  const totals = () => {
    const { tokenUsage, costUsd } = sum.totals;
    return { ...overview.stats, totalTokenUsage: tokenUsage, totalCostUsd: costUsd, ...spend.stats() };
  };
  const { version, tasksDir, shard, phase, completedTasks, failedTasks, currentTaskPath, stats: _summedBelow, ...rest } = overview;
  await writeTextAtomic(
    sequenceFile,
    prettyJsonChunks({
      version,
      tasksDir,
      shard,
      phase,
      completedTasks,
      failedTasks,
      currentTaskPath,
      tasks: new StreamedList(entries()),
      stats: totals,
      ...rest,
    }),
  );
  return { ...overview, stats: totals() };
}

/**
 * A task's entry in the merged sequence, from its state as copied into the target. The bytes must
 * be those the first pass verified (same hash), so only the declaration is applied again (it
 * fills what older files lack), not the whole verification.
 */
async function mergedEntry(task: FoundTask, target: StateFolder): Promise<SequenceTaskEntry> {
  const file = path.join(target.statePath, task.name);
  const text = await readFile(file, 'utf8');
  if (hashOf(text) !== task.hash) throw new UserError(`${file} changed while merge was running; merge again.`);
  return sequenceEntry(file, checkState(file, JSON.parse(text), TaskStateSchema));
}

/** Copies a task's logs, then its state (so a killed merge never leaves a state without its logs); returns the number of log files. */
async function copyTask(task: FoundTask, target: StateFolder): Promise<number> {
  const logs = taskLogsDir(task.folder.logsPath, task.name);
  const files = await filesUnder(logs);
  for (const file of files) {
    const to = path.join(taskLogsDir(target.logsPath, task.name), file);
    if (!(await exists(to))) await copyFileAtomic(path.join(logs, file), to);
  }
  await copyFileAtomic(fileOf(task), path.join(target.statePath, task.name));
  return files.length;
}

function dedupe(folders: StateFolder[]): StateFolder[] {
  const seen = new Set<string>();
  return folders.filter((f) => !seen.has(f.statePath) && seen.add(f.statePath));
}

/** A log file the target already holds must be the one merge would copy there. */
async function refuseDifferentLogs(task: FoundTask, target: StateFolder): Promise<void> {
  const from = taskLogsDir(task.folder.logsPath, task.name);
  const to = taskLogsDir(target.logsPath, task.name);
  for (const file of await filesUnder(from)) {
    const existing = path.join(to, file);
    if ((await exists(existing)) && !(await sameContent(path.join(from, file), existing))) {
      throw new UserError(
        `${path.join(from, file)} and ${existing} are different logs of task ${task.taskPath}; merge will not overwrite one with the other.`,
      );
    }
  }
}

async function sequenceInputs(folders: StateFolder[]): Promise<SequenceInput[]> {
  const inputs: SequenceInput[] = [];
  for (const folder of folders) {
    const file = sequenceStateFile(folder.statePath);
    const read = await readSequenceOverview(file);
    if (read === undefined) continue;
    const { tasksDir, shard, mergedShards, stats, startedAt, updatedAt, finishedAt } = read.overview;
    inputs.push({ file, state: { tasksDir, shard, mergedShards, stats, startedAt, updatedAt, finishedAt } });
  }
  return inputs;
}
