import { isZeroUsage, roundCost, sumModelUsage } from '../usage/math.js';
import { ALL_COUNT_FIELDS, type ModelTokenUsage, type TokenCounts, type TokenUsage } from '../usage/types.js';
import type { SubagentUsage } from './subagent-record.js';
import type { AttemptState } from './task-state.js';

/**
 * An attempt's usage by thread: each subagent call as its transcript recorded it, and the main
 * thread, the rest of what the attempt was billed. Subagents and main thread add up to the
 * attempt's per-model usage exactly, because the main thread is what the subagents leave.
 * `mainThread` is null when the subagents show more than the attempt was billed for a model (a
 * transcript of another call): then the split cannot be trusted.
 */
export interface AttemptThreads {
  subagents: SubagentUsage[];
  mainThread: ModelTokenUsage | null;
}

/** Undefined when the attempt recorded no subagent call. */
export function attemptThreads(attempt: Pick<AttemptState, 'usage' | 'subagents'>): AttemptThreads | undefined {
  const subagents = attempt.subagents ?? [];
  if (subagents.length === 0) return undefined;
  return { subagents, mainThread: remainder(attempt.usage, sumModelUsage(...subagents.map((s) => s.usage))) };
}

function remainder(whole: ModelTokenUsage, part: ModelTokenUsage): ModelTokenUsage | null {
  if (Object.keys(part).some((model) => !whole[model])) return null;
  const rest: ModelTokenUsage = {};
  for (const [model, usage] of Object.entries(whole)) {
    const taken = part[model];
    if (!taken) {
      rest[model] = usage;
      continue;
    }
    const left = minus(usage, taken);
    if (!left) return null;
    if (!isZeroUsage(left)) rest[model] = left;
  }
  return rest;
}

function minus(a: TokenUsage, b: TokenUsage): TokenUsage | undefined {
  const counts = Object.fromEntries(ALL_COUNT_FIELDS.map((field) => [field, (a[field] ?? 0) - (b[field] ?? 0)]));
  if (Object.values(counts).some((n) => n < 0)) return undefined;
  const costUsd = a.costUsd === null || b.costUsd === null ? null : Math.max(0, roundCost(a.costUsd - b.costUsd));
  return { ...(counts as unknown as TokenCounts), costUsd, ...(a.priceSource !== undefined && { priceSource: a.priceSource }) };
}
