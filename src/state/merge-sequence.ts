import { UserError } from '../errors/user-error.js';
import type { SequenceOverview } from './sequence-overview.js';
import { newSequenceState, type MergedShard, type SequencePhase, type SequenceTaskEntry } from './sequence-state.js';

/** What merge takes from each folder's sequence state (not its lists of tasks, which it rebuilds). */
export type SequenceHead = Pick<
  SequenceOverview,
  'tasksDir' | 'shard' | 'mergedShards' | 'stats' | 'startedAt' | 'updatedAt' | 'finishedAt'
>;

export interface SequenceInput {
  file: string;
  state: SequenceHead;
}

/** What the merged sequence state says of a task besides its usage. */
export type MergedTask = Pick<SequenceTaskEntry, 'taskPath' | 'phase'>;

/** The shards a sequence state stands for: its own shard, or (a merged one) the shards merged in it. */
function shardsOf(state: SequenceHead): MergedShard[] {
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

/** Task paths in the order the merged sequence lists them (and sums them: the same order gives the same bytes). */
export function byTaskPath<T extends MergedTask>(a: T, b: T): number {
  return a.taskPath < b.taskPath ? -1 : a.taskPath > b.taskPath ? 1 : 0;
}

/**
 * The sequence state of a merged folder but its `tasks` entries and usage totals, which the
 * merge writes one task at a time (each entry from `withTask`, the totals summed as they go, in
 * the order `withSequenceTotals` sums them). Times are
 * taken from the inputs, never from the clock, so merging the same folders again writes the
 * same bytes. `tasks` must be in `byTaskPath` order.
 */
export function mergedSequenceOverview(inputs: SequenceInput[], tasks: MergedTask[]): SequenceOverview {
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
  const { tasks: _none, ...base } = newSequenceState(tasksDir, [], startedAt);
  const completedTasks = tasks.filter((t) => t.phase === 'done').map((t) => t.taskPath);
  const failedTasks = tasks.filter((t) => t.phase === 'failed').map((t) => t.taskPath);
  return {
    ...base,
    mergedShards: shards,
    phase,
    completedTasks,
    failedTasks,
    stats: { ...base.stats, tasksTotal, tasksCompleted: completedTasks.length, tasksFailed: failedTasks.length },
    updatedAt,
    ...(phase !== 'interrupted' && { finishedAt }),
  };
}

/** Failed if a task failed; done when every shard is there and all its tasks are done; otherwise unfinished. */
function mergedPhase(tasks: MergedTask[], tasksTotal: number, allShards: boolean): SequencePhase {
  if (tasks.some((t) => t.phase === 'failed')) return 'failed';
  if (allShards && tasks.length === tasksTotal && tasks.every((t) => t.phase === 'done')) return 'done';
  return 'interrupted';
}
