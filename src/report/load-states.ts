import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectConfig } from '../config/types.js';
import { CorruptStateError, readJsonFile } from '../state/atomic-json.js';
import { sequenceStateFile, taskSlug, taskStateFile } from '../state/paths.js';
import type { SequenceState } from '../state/sequence-state.js';
import type { TaskState } from '../state/task-state.js';
import { UserError } from '../errors.js';
import { roundCost } from '../usage/math.js';
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
  /** What every task state of the state folder has cost: what a sequence cap covers. */
  folderSpentUsd: number;
}

/** The state files `status` and `report` show: one task, a folder's tasks, or all there are. */
export async function loadStates(config: ProjectConfig, target: string | undefined): Promise<LoadedStates> {
  const sequence = await readState<SequenceState>(sequenceStateFile(config.statePath), sequenceStateProblem);
  const names = (await readdir(config.statePath).catch(() => [] as string[]))
    .filter((name) => name.endsWith('.state.json') && name !== 'sequence.state.json')
    .sort();
  const all = await Promise.all(names.map((name) => loadTask(path.join(config.statePath, name))));
  const folderSpentUsd = roundCost(all.reduce((sum, task) => sum + (task.state?.totalCostUsd ?? 0), 0));
  if (target === undefined) return { tasks: all, sequence, folderSpentUsd };
  const absolute = path.resolve(target);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new UserError(`${target}: no such task file or folder.`);
  const files = info.isDirectory()
    ? (await readdir(absolute)).filter((name) => name.toLowerCase().endsWith('.md')).sort().map((name) => path.join(absolute, name))
    : [absolute];
  const tasks = await Promise.all(
    files.map(async (file) => {
      const stateFile = taskStateFile(config.statePath, taskSlug(file));
      return { taskPath: path.relative(config.rootDir, file), stateFile, state: await readState<TaskState>(stateFile, taskStateProblem) };
    }),
  );
  const inSequence = info.isDirectory() && sequence?.tasksDir === path.relative(config.rootDir, absolute);
  return { tasks, sequence: inSequence ? sequence : undefined, folderSpentUsd };
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
