import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectConfig } from '../config/types.js';
import { CorruptStateError, readJsonFile } from '../state/atomic-json.js';
import { listTasks } from '../state/list-tasks.js';
import { sequenceStateFile } from '../state/paths.js';
import type { SequenceState } from '../state/sequence-state.js';
import { findTaskStateFile, taskFiles } from '../state/task-files.js';
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

/** The state files `status` and `report` show: one task, a folder's tasks, or all there are. */
export async function loadStates(config: ProjectConfig, target: string | undefined): Promise<LoadedStates> {
  const sequence = await readState<SequenceState>(sequenceStateFile(config.statePath), sequenceStateProblem);
  if (target === undefined) {
    const names = (await readdir(config.statePath).catch(() => [] as string[]))
      .filter((name) => name.endsWith('.state.json') && name !== 'sequence.state.json')
      .sort();
    const tasks = await Promise.all(names.map((name) => loadTask(path.join(config.statePath, name))));
    return { tasks, sequence };
  }
  const absolute = path.resolve(target);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new UserError(`${target}: no such task file or folder.`);
  const files = info.isDirectory() ? await listTasks(absolute) : [absolute];
  const tasks = await Promise.all(files.map((file) => loadTaskOf(config, file)));
  const inSequence = info.isDirectory() && sequence?.tasksDir === path.relative(config.rootDir, absolute);
  return { tasks, sequence: inSequence ? sequence : undefined };
}

/** A task's state where the run would find it: its own state file, or an earlier version's. */
async function loadTaskOf(config: ProjectConfig, taskFile: string): Promise<LoadedTask> {
  const files = taskFiles(config, taskFile);
  const found = await findTaskStateFile(files);
  const stateFile = found?.file ?? files.stateFile;
  return { taskPath: files.taskPath, stateFile, state: await readState<TaskState>(stateFile, taskStateProblem) };
}

async function loadTask(stateFile: string): Promise<LoadedTask> {
  const state = await readState<TaskState>(stateFile, taskStateProblem);
  return { taskPath: state?.taskPath ?? stateFile, stateFile, state };
}

/** A state file, undefined when there is none; one that does not parse or is not a state is an error. */
async function readState<T>(file: string, problemOf: (value: unknown) => string | undefined): Promise<T | undefined> {
  const value = await readJsonFile<unknown>(file);
  if (value === undefined) return undefined;
  const problem = problemOf(value);
  if (problem) throw new CorruptStateError(file, problem, true);
  return value as T;
}
