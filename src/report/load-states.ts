import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectConfig } from '../config/types.js';
import { CorruptStateError, readJsonFile } from '../state/atomic-json.js';
import { sequenceStateFile, taskSlug, taskStateFile } from '../state/paths.js';
import type { SequenceState } from '../state/sequence-state.js';
import type { TaskState } from '../state/task-state.js';
import { UserError } from '../errors.js';
import { sequenceStateProblem, taskStateProblem } from './state-shape.js';

export interface LoadedTask {
  taskPath: string;
  stateFile: string;
  /** Undefined: the task has not been run yet. */
  state: TaskState | undefined;
}

export interface LoadedStates {
  tasks: LoadedTask[];
  sequence: SequenceState | undefined;
}

/** A state file to show, not read yet. */
export interface TaskToLoad {
  taskPath: string;
  stateFile: string;
  /** The task path is the one the state file names (all tasks of the state folder are shown). */
  taskPathFromState: boolean;
}

/** The state files `status` and `report` show: one task, a folder's tasks, or all there are. */
export async function loadStates(config: ProjectConfig, target: string | undefined): Promise<LoadedStates> {
  const found = await findStates(config, target);
  return { tasks: await Promise.all(found.tasks.map(loadTask)), sequence: found.sequence };
}

/** Which state files `loadStates` reads, without reading them (so they can be read one at a time). */
export async function findStates(config: ProjectConfig, target: string | undefined): Promise<{ tasks: TaskToLoad[]; sequence: SequenceState | undefined }> {
  const sequence = await readState<SequenceState>(sequenceStateFile(config.statePath), sequenceStateProblem);
  if (target === undefined) {
    const names = (await readdir(config.statePath).catch(() => [] as string[]))
      .filter((name) => name.endsWith('.state.json') && name !== 'sequence.state.json')
      .sort();
    const tasks = names.map((name) => {
      const stateFile = path.join(config.statePath, name);
      return { taskPath: stateFile, stateFile, taskPathFromState: true };
    });
    return { tasks, sequence };
  }
  const absolute = path.resolve(target);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new UserError(`${target}: no such task file or folder.`);
  const files = info.isDirectory()
    ? (await readdir(absolute)).filter((name) => name.toLowerCase().endsWith('.md')).sort().map((name) => path.join(absolute, name))
    : [absolute];
  const tasks = files.map((file) => ({
    taskPath: path.relative(config.rootDir, file),
    stateFile: taskStateFile(config.statePath, taskSlug(file)),
    taskPathFromState: false,
  }));
  const inSequence = info.isDirectory() && sequence?.tasksDir === path.relative(config.rootDir, absolute);
  return { tasks, sequence: inSequence ? sequence : undefined };
}

export async function loadTask(task: TaskToLoad): Promise<LoadedTask> {
  const state = await readState<TaskState>(task.stateFile, taskStateProblem);
  return { taskPath: task.taskPathFromState ? (state?.taskPath ?? task.stateFile) : task.taskPath, stateFile: task.stateFile, state };
}

/** A state file, undefined when there is none; one that does not parse or is not a state is an error. */
async function readState<T>(file: string, problemOf: (value: unknown) => string | undefined): Promise<T | undefined> {
  const value = await readJsonFile<unknown>(file);
  if (value === undefined) return undefined;
  const problem = problemOf(value);
  if (problem) throw new CorruptStateError(file, problem, true);
  return value as T;
}
