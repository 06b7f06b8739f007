import { sumModelUsage, totalOf } from '../usage/math.js';
import type { ModelTokenUsage } from '../usage/types.js';
import type { Shard } from '../pipeline/shard.js';
import type { TaskPhase, TaskState } from './task-state.js';

export type SequencePhase = 'running' | 'waiting-rate-limit' | 'done' | 'failed' | 'interrupted';

export interface SequenceTaskEntry {
  taskPath: string;
  stateFile: string;
  phase: TaskPhase;
  tokenUsage: ModelTokenUsage;
  costUsd: number;
}

/** One shard's part of a merged sequence: which slice, and how many tasks it had. */
export interface MergedShard {
  index: number;
  count: number;
  tasksTotal: number;
}

export interface SequenceState {
  version: 1;
  tasksDir: string;
  /** The slice of the folder this sequence ran (`--shard i/n`); null: the whole folder. */
  shard: Shard | null;
  /** Only in a folder written by `merge`: the shards gathered in it, by index. */
  mergedShards?: MergedShard[];
  phase: SequencePhase;
  completedTasks: string[];
  failedTasks: string[];
  currentTaskPath: string | null;
  tasks: SequenceTaskEntry[];
  stats: {
    tasksTotal: number;
    tasksCompleted: number;
    tasksFailed: number;
    totalTokenUsage: ModelTokenUsage;
    totalCostUsd: number;
  };
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

export function newSequenceState(tasksDir: string, taskPaths: string[], now: string, shard: Shard | null = null): SequenceState {
  return withSequenceTotals({
    version: 1,
    tasksDir,
    shard,
    phase: 'running',
    completedTasks: [],
    failedTasks: [],
    currentTaskPath: null,
    tasks: [],
    stats: { tasksTotal: taskPaths.length, tasksCompleted: 0, tasksFailed: 0, totalTokenUsage: {}, totalCostUsd: 0 },
    startedAt: now,
    updatedAt: now,
  });
}

/** Records a task's latest state in the sequence (replacing what was there, never adding to it). */
export function withTask(sequence: SequenceState, stateFile: string, task: TaskState): SequenceState {
  const entry: SequenceTaskEntry = {
    taskPath: task.taskPath,
    stateFile,
    phase: task.phase,
    tokenUsage: task.tokenUsage,
    costUsd: task.totalCostUsd,
  };
  const tasks = sequence.tasks.some((t) => t.taskPath === task.taskPath)
    ? sequence.tasks.map((t) => (t.taskPath === task.taskPath ? entry : t))
    : [...sequence.tasks, entry];
  const completedTasks = sequence.completedTasks.filter((p) => p !== task.taskPath);
  const failedTasks = sequence.failedTasks.filter((p) => p !== task.taskPath);
  if (task.phase === 'done') completedTasks.push(task.taskPath);
  if (task.phase === 'failed') failedTasks.push(task.taskPath);
  return withSequenceTotals({ ...sequence, tasks, completedTasks, failedTasks });
}

/** Sequence totals are the sum of its tasks' own totals, recomputed on every write. */
export function withSequenceTotals(sequence: SequenceState): SequenceState {
  const totalTokenUsage = sumModelUsage(...sequence.tasks.map((t) => t.tokenUsage));
  return {
    ...sequence,
    stats: {
      ...sequence.stats,
      tasksCompleted: sequence.completedTasks.length,
      tasksFailed: sequence.failedTasks.length,
      totalTokenUsage,
      totalCostUsd: totalOf(totalTokenUsage).costUsd,
    },
  };
}
