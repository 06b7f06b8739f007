import { UserError } from '../errors/user-error.js';
import {
  newSequenceState,
  withSequenceTotals,
  type MergedShard,
  type SequencePhase,
  type SequenceState,
  type SequenceTaskEntry,
} from './sequence-state.js';

export interface SequenceInput {
  file: string;
  state: SequenceState;
}

/** The shards a sequence state stands for: its own shard, or (a merged one) the shards merged in it. */
function shardsOf(state: SequenceState): MergedShard[] {
  if (state.mergedShards) return state.mergedShards;
  const shard = state.shard ?? { index: 1, count: 1 };
  return [{ index: shard.index, count: shard.count, tasksTotal: state.stats.tasksTotal }];
}

/** Every shard once, by index; shards of different splits (2/3 beside 1/4) or disagreeing on their size are refused. */
export function mergedShards(inputs: SequenceInput[]): MergedShard[] {
  const byIndex = new Map<number, { shard: MergedShard; file: string }>();
  let first: { shard: MergedShard; file: string } | undefined;
  for (const { file, state } of inputs) {
    for (const shard of shardsOf(state)) {
      first ??= { shard, file };
      if (shard.count !== first.shard.count) {
        throw new UserError(
          `${first.file} is shard ${first.shard.index}/${first.shard.count} but ${file} is shard ${shard.index}/${shard.count}: only shards of one split can be merged.`,
        );
      }
      const seen = byIndex.get(shard.index);
      if (seen && seen.shard.tasksTotal !== shard.tasksTotal) {
        throw new UserError(
          `${seen.file} and ${file} are both shard ${shard.index}/${shard.count} but with ${seen.shard.tasksTotal} and ${shard.tasksTotal} tasks: the tasks folder changed between them.`,
        );
      }
      if (!seen) byIndex.set(shard.index, { shard, file });
    }
  }
  return [...byIndex.values()].map((s) => s.shard).sort((a, b) => a.index - b.index);
}

/** Indexes of the split's shards that are not among `shards`. */
export function missingShards(shards: MergedShard[]): number[] {
  const count = shards[0]?.count ?? 0;
  const present = new Set(shards.map((s) => s.index));
  return Array.from({ length: count }, (_, i) => i + 1).filter((index) => !present.has(index));
}

/**
 * The sequence state of a merged folder. Each entry comes from the task's own state (`withTask`),
 * the totals from `withSequenceTotals`; times are taken from the inputs, never from the clock,
 * so merging the same folders again writes the same bytes.
 */
export function mergedSequenceState(inputs: SequenceInput[], entries: SequenceTaskEntry[]): SequenceState {
  if (inputs.length === 0) {
    throw new UserError(
      'none of the folders holds a sequence.state.json: merge gathers the state folders of "claude-project sequence" runs.',
    );
  }
  const tasksDir = inputs[0]!.state.tasksDir;
  const stray = inputs.find((input) => input.state.tasksDir !== tasksDir);
  if (stray) {
    throw new UserError(
      `${inputs[0]!.file} ran tasks folder ${JSON.stringify(tasksDir)} but ${stray.file} ran ${JSON.stringify(stray.state.tasksDir)}: only shards of one tasks folder can be merged.`,
    );
  }
  const shards = mergedShards(inputs);
  const tasks = [...entries].sort((a, b) => (a.taskPath < b.taskPath ? -1 : a.taskPath > b.taskPath ? 1 : 0));
  const tasksTotal = Math.max(
    tasks.length,
    shards.reduce((n, s) => n + s.tasksTotal, 0),
  );
  const phase = mergedPhase(tasks, tasksTotal, missingShards(shards).length === 0);
  const startedAt = inputs.map((i) => i.state.startedAt).sort()[0]!;
  const updatedAt = inputs
    .map((i) => i.state.updatedAt)
    .sort()
    .at(-1)!;
  const finishedAt = inputs
    .map((i) => i.state.finishedAt ?? i.state.updatedAt)
    .sort()
    .at(-1)!;
  const base = newSequenceState(tasksDir, [], startedAt);
  return withSequenceTotals({
    ...base,
    mergedShards: shards,
    phase,
    completedTasks: tasks.filter((t) => t.phase === 'done').map((t) => t.taskPath),
    failedTasks: tasks.filter((t) => t.phase === 'failed').map((t) => t.taskPath),
    tasks,
    stats: { ...base.stats, tasksTotal },
    updatedAt,
    ...(phase !== 'interrupted' && { finishedAt }),
  });
}

/** Failed if a task failed; done when every shard is there and all its tasks are done; otherwise unfinished. */
function mergedPhase(tasks: SequenceTaskEntry[], tasksTotal: number, allShards: boolean): SequencePhase {
  if (tasks.some((t) => t.phase === 'failed')) return 'failed';
  if (allShards && tasks.length === tasksTotal && tasks.every((t) => t.phase === 'done')) return 'done';
  return 'interrupted';
}
