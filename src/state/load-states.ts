import { stat } from 'node:fs/promises';
import path from 'node:path';
import { listTasks, refuseHiddenTask } from './list-tasks.js';
import { listTaskStateNames } from './state-folder.js';
import { realPath, realTaskFile } from './real-path.js';
import { readStateFile } from './read-state.js';
import { sequenceStateFile } from './paths.js';
import { readSequenceOverview, type SequenceOverview } from './sequence-overview.js';
import type { SequenceTaskEntry } from './sequence-state.js';
import { findTaskStateFile, isStateFileNameOf, taskFiles } from './task-files.js';
import { TaskStateSchema, type TaskState } from './task-state.js';
import { UserError } from '../errors/user-error.js';
import { roundCost } from '../usage/math.js';
import { costOf } from './cost-of.js';
import { mapLimit } from './map-limit.js';
import { stateFilePath, storedTaskPath, type StateFileName, type StateFilePath, type TaskPath } from './ids.js';

export interface LoadedTask {
  taskPath: TaskPath;
  stateFile: StateFilePath;
  /** Undefined: the task has not been run yet. */
  state: TaskState | undefined;
}

/** A sequence state as `status` reads it: all but its per-task entries, and the tasks they are for. */
export type ListedSequence = SequenceOverview & { taskPaths: string[] };

export interface LoadedStates {
  tasks: LoadedTask[];
  sequence: ListedSequence | undefined;
  /** What every task state of the state folder has cost: what a sequence cap covers; null when a part is unknown. */
  folderSpentUsd: number | null;
}

/** Where a project keeps its state: what `loadStates` needs of the configuration. */
export interface StateLocation {
  /** The project root: task paths are relative to it. */
  rootDir: string;
  statePath: string;
  logsPath: string;
}

/**
 * A task state to show, not read yet: a state file of the folder, by name (the path is joined only
 * when it is read: 10,000 joined paths held at once cost more than the names), or the state of a task file.
 */
export type TaskToLoad = { stateName: StateFileName } | { taskFile: string };

/**
 * Which states `status` and `report` show — one task, a folder's tasks, or all there are — without
 * reading them. The sequence state is streamed past: its size grows with its tasks, and status
 * must not; `onEntry` sees each of its per-task entries.
 */
export async function findStates(
  config: StateLocation,
  target: string | undefined,
  onEntry?: (entry: SequenceTaskEntry) => void,
): Promise<{ tasks: TaskToLoad[]; sequence: SequenceOverview | undefined }> {
  const sequence = (await readSequenceOverview(sequenceStateFile(config.statePath), onEntry))?.overview;
  if (target === undefined) return { tasks: (await taskStateNames(config.statePath)).map((stateName) => ({ stateName })), sequence };
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new UserError(`${target}: no such task file or folder.`);
  const absolute = info.isDirectory() ? realPath(target) : realTaskFile(target);
  if (!info.isDirectory()) refuseHiddenTask(absolute);
  const files = info.isDirectory() ? await listTasks(absolute) : [absolute];
  const inSequence = info.isDirectory() && sequence?.tasksDir === path.relative(config.rootDir, absolute);
  return { tasks: files.map((taskFile) => ({ taskFile })), sequence: inSequence ? sequence : undefined };
}

/** The state files `status` and `report` show, read: one task, a folder's tasks, or all there are. */
export async function loadStates(config: StateLocation, target: string | undefined): Promise<LoadedStates> {
  const taskPaths = new Set<string>();
  const found = await findStates(config, target, (entry) => taskPaths.add(entry.taskPath));
  const tasks = (await Promise.all(found.tasks.map((task) => loadTask(config, task)))).filter(
    (task, i) => !isCopy(found.tasks[i]!, task.state),
  );
  const sequence = found.sequence;
  // The sequence file is written at intervals, so it may be behind its tasks (a run under way, or
  // killed): a task state of its folder is one of its tasks whether or not the file lists it yet.
  if (sequence) {
    for (const { state } of tasks) if (state && path.dirname(state.taskPath) === sequence.tasksDir) taskPaths.add(state.taskPath);
  }
  return {
    tasks,
    sequence: sequence && { ...sequence, taskPaths: [...taskPaths] },
    folderSpentUsd: await folderSpentUsd(config.statePath),
  };
}

/** A state file listed from the folder under a name that is not its task's (a backup copy): not counted again. */
export function isCopy(task: TaskToLoad, state: TaskState | undefined): boolean {
  return 'stateName' in task && typeof state?.taskPath === 'string' && !isStateFileNameOf(task.stateName, state.taskPath);
}

export function loadTask(config: StateLocation, task: TaskToLoad): Promise<LoadedTask> {
  return 'taskFile' in task ? loadTaskOf(config, task.taskFile) : loadStateFile(stateFilePath(path.join(config.statePath, task.stateName)));
}

/**
 * What every task state of the state folder has cost (`costOf` each), a few files read at once
 * and only their costs kept, added in name order; null when any part is unknown — never counted as 0.
 */
export async function folderSpentUsd(statePath: string): Promise<number | null> {
  const costs = await mapLimit(await taskStateNames(statePath), PARALLEL_READS, (name) =>
    readStateFile(path.join(statePath, name), TaskStateSchema).then(
      (state) => ({ cost: state && !isCopy({ stateName: name }, state) ? costOf(state) : 0 }),
      (error: unknown) => ({ error }),
    ),
  );
  let sum = 0;
  // in name order, as read one by one: an unknown cost before a bad file is the answer, a bad file before it the error
  for (const read of costs) {
    if ('error' in read) throw read.error;
    if (read.cost === null) return null;
    sum += read.cost;
  }
  return roundCost(sum);
}

/** State files read at once: enough to keep the disk busy, few enough to keep memory flat. */
const PARALLEL_READS = 16;

/** The task state files of a state folder (not the sequence's), in name order. */
export function taskStateNames(statePath: string): Promise<StateFileName[]> {
  return listTaskStateNames(statePath);
}

/** A task's state where the run would find it: its own state file, or an earlier version's. */
async function loadTaskOf(config: StateLocation, taskFile: string): Promise<LoadedTask> {
  const files = taskFiles(config, taskFile);
  const found = await findTaskStateFile(files);
  return { taskPath: files.taskPath, stateFile: found?.file ?? files.stateFile, state: found?.state };
}

async function loadStateFile(stateFile: StateFilePath): Promise<LoadedTask> {
  const state = await readStateFile(stateFile, TaskStateSchema);
  // A state that does not say whose it is shows under its file's path.
  return { taskPath: storedTaskPath(state?.taskPath ?? stateFile), stateFile, state };
}
