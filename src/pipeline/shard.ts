import type { Shard } from '../state/sequence-state.js';

export type { Shard } from '../state/sequence-state.js';

/** Task k (0-based, in name order) belongs to shard (k mod n) + 1; no shard: every task. */
export function tasksOfShard<T>(tasks: readonly T[], shard: Shard | null): T[] {
  if (!shard) return [...tasks];
  return tasks.filter((_, k) => k % shard.count === shard.index - 1);
}

export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

export function sameShard(a: Shard | null | undefined, b: Shard | null | undefined): boolean {
  return (a ?? null) === (b ?? null) || (!!a && !!b && a.index === b.index && a.count === b.count);
}
