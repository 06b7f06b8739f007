import { UserError } from '../errors/user-error.js';
import type { Shard } from '../state/sequence-state.js';

export type { Shard } from '../state/sequence-state.js';

/** `--shard <i>/<n>`, 1 ≤ i ≤ n; anything else is bad input (exit 2). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard ${JSON.stringify(text)}: expected <i>/<n> with 1 ≤ i ≤ n, for example --shard 2/3.`);
  }
  return { index, count };
}

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
