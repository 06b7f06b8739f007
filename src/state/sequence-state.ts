import type * as z from 'zod';
import { choice, count, list, num, record, text, timestamp } from '../declare/rules.js';
import { stateVersion } from './state-version.js';
import { BillingRecordSchema } from './billing-record.js';
import { BudgetRecordSchema } from './budget-record.js';
import { ModelTokenUsageSchema } from '../usage/types.js';
import { EntrySpendShape, entrySpend, SpendStatsShape, spendStats } from './spend-totals.js';
import { rollUpTasks } from './roll-up.js';
import { TASK_PHASES, type TaskState } from './task-state.js';

export const SEQUENCE_PHASES = ['running', 'waiting-rate-limit', 'done', 'failed', 'interrupted', 'budget-exceeded'] as const;
export type SequencePhase = (typeof SEQUENCE_PHASES)[number];

export const SequenceTaskEntrySchema = record({
  taskPath: text(),
  stateFile: text(),
  phase: choice(TASK_PHASES),
  tokenUsage: ModelTokenUsageSchema,
  costUsd: num({ min: 0 }).nullable(),
  ...EntrySpendShape,
});
export type SequenceTaskEntry = z.infer<typeof SequenceTaskEntrySchema>;

/** One of `count` static slices of a tasks folder (`--shard index/count`); `index` is 1-based. */
export const ShardSchema = record({ index: num({ min: 1, integer: true }), count: num({ min: 1, integer: true }) });
export type Shard = z.infer<typeof ShardSchema>;

/** One shard's part of a merged sequence: which slice, and how many tasks it had. */
export const MergedShardSchema = record({
  index: num({ min: 1, integer: true }),
  count: num({ min: 1, integer: true }),
  tasksTotal: count(),
});
export type MergedShard = z.infer<typeof MergedShardSchema>;

/** `sequence.state.json`, declared once: its type, the check every reader makes, and its JSON Schema. */
export const SequenceStateSchema = record({
  version: stateVersion(),
  tasksDir: text(),
  /** The slice of the folder this sequence ran (`--shard i/n`); null: the whole folder (also in files written before shards). */
  shard: ShardSchema.nullable().default(null),
  /** Only in a folder written by `merge`: the shards gathered in it, by index. */
  mergedShards: list(MergedShardSchema).optional(),
  phase: choice(SEQUENCE_PHASES),
  completedTasks: list(text()),
  failedTasks: list(text()),
  currentTaskPath: text().nullable(),
  tasks: list(SequenceTaskEntrySchema),
  stats: record({
    tasksTotal: count(),
    tasksCompleted: count(),
    tasksFailed: count(),
    totalTokenUsage: ModelTokenUsageSchema,
    totalCostUsd: num({ min: 0 }).nullable(),
    ...SpendStatsShape,
  }),
  startedAt: timestamp(),
  updatedAt: timestamp(),
  finishedAt: timestamp().optional(),
  /** The last `reconcile` of the sequence's tasks together against the Admin API. */
  billing: BillingRecordSchema.optional(),
  /** The sequence's cap in its latest run, and the stop, if one stopped it. */
  budget: BudgetRecordSchema.optional(),
});
export type SequenceState = z.infer<typeof SequenceStateSchema>;

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
  const entry = sequenceEntry(stateFile, task);
  const tasks = sequence.tasks.some((t) => t.taskPath === task.taskPath)
    ? sequence.tasks.map((t) => (t.taskPath === task.taskPath ? entry : t))
    : [...sequence.tasks, entry];
  const completedTasks = sequence.completedTasks.filter((p) => p !== task.taskPath);
  const failedTasks = sequence.failedTasks.filter((p) => p !== task.taskPath);
  if (task.phase === 'done') completedTasks.push(task.taskPath);
  if (task.phase === 'failed') failedTasks.push(task.taskPath);
  return withSequenceTotals({ ...sequence, tasks, completedTasks, failedTasks });
}

/** A task's entry in a sequence state. */
export function sequenceEntry(stateFile: string, task: TaskState): SequenceTaskEntry {
  return {
    taskPath: task.taskPath,
    stateFile,
    phase: task.phase,
    tokenUsage: task.tokenUsage,
    costUsd: task.totalCostUsd,
    ...entrySpend(task),
  };
}

/** The sequence of these tasks only: entries and lists of other tasks (removed since) are dropped. */
export function onlyTasks(sequence: SequenceState, taskPaths: string[]): SequenceState {
  const keep = new Set(taskPaths);
  return {
    ...sequence,
    tasks: sequence.tasks.filter((t) => keep.has(t.taskPath)),
    completedTasks: sequence.completedTasks.filter((p) => keep.has(p)),
    failedTasks: sequence.failedTasks.filter((p) => keep.has(p)),
  };
}

/** Sequence totals are the sum of its tasks' own totals, recomputed on every write. */
export function withSequenceTotals(sequence: SequenceState): SequenceState {
  const totals = rollUpTasks(sequence.tasks);
  return {
    ...sequence,
    stats: {
      ...sequence.stats,
      tasksCompleted: sequence.completedTasks.length,
      tasksFailed: sequence.failedTasks.length,
      totalTokenUsage: totals.tokenUsage,
      totalCostUsd: totals.costUsd,
      ...spendStats(sequence.tasks),
    },
  };
}
