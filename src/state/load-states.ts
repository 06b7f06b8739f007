import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { listTasks } from './list-tasks.js';
import { readStateFile } from './read-state.js';
import { sequenceStateFile } from './paths.js';
import { SequenceStateSchema, type SequenceState } from './sequence-state.js';
import { findTaskStateFile, taskFiles } from './task-files.js';
import { TaskStateSchema, type TaskState } from './task-state.js';
import { UserError } from '../errors/user-error.js';
import { roundCost } from '../usage/math.js';

export interface LoadedTask {
  taskPath: string;
  stateFile: string;
  /** Undefined: the task has not been run yet. */
  state: TaskState | undefined;
}

export interface LoadedStates {
  tasks: LoadedTask[];
  sequence: SequenceState | undefined;
  /** What every task state of the state folder has cost: what a sequence cap covers. */
  folderSpentUsd: number;
}

/** Where a project keeps its state: what `loadStates` needs of the configuration. */
export interface StateLocation {
  /** The project root: task paths are relative to it. */
  rootDir: string;
  statePath: string;
  logsPath: string;
}

/** The state files `status` and `report` show: one task, a folder's tasks, or all there are. */
export async function loadStates(config: StateLocation, target: string | undefined): Promise<LoadedStates> {
  const sequence = await readStateFile(sequenceStateFile(config.statePath), SequenceStateSchema);
  const names = (await readdir(config.statePath).catch(() => [] as string[]))
    .filter((name) => name.endsWith('.state.json') && name !== 'sequence.state.json')
    .sort();
  const all = await Promise.all(names.map((name) => loadTask(path.join(config.statePath, name))));
  const folderSpentUsd = roundCost(all.reduce((sum, task) => sum + (task.state?.totalCostUsd ?? 0), 0));
  if (target === undefined) return { tasks: all, sequence, folderSpentUsd };
  const absolute = path.resolve(target);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new UserError(`${target}: no such task file or folder.`);
  const files = info.isDirectory() ? await listTasks(absolute) : [absolute];
  const tasks = await Promise.all(files.map((file) => loadTaskOf(config, file)));
  const inSequence = info.isDirectory() && sequence?.tasksDir === path.relative(config.rootDir, absolute);
  return { tasks, sequence: inSequence ? sequence : undefined, folderSpentUsd };
}

/** A task's state where the run would find it: its own state file, or an earlier version's. */
async function loadTaskOf(config: StateLocation, taskFile: string): Promise<LoadedTask> {
  const files = taskFiles(config, taskFile);
  const found = await findTaskStateFile(files);
  return { taskPath: files.taskPath, stateFile: found?.file ?? files.stateFile, state: found?.state };
}

async function loadTask(stateFile: string): Promise<LoadedTask> {
  const state = await readStateFile(stateFile, TaskStateSchema);
  return { taskPath: state?.taskPath ?? stateFile, stateFile, state };
}
