import { billedCounts, SYNTHETIC_MODEL, type BilledModelUsage } from './from-raw.js';
import { addCounts, emptyCounts, isZeroCounts, roundCost } from './math.js';
import { CLAUDE_CODE_SOURCE, costAtPrice, type PriceTable } from './pricing.js';
import type { ModelTokenUsage, TokenCounts } from './types.js';

/** One API request's counts, as a stream snapshot or a transcript entry gives them. */
export interface MessageCounts {
  /** The API's message id, where known (a transcript's messages are matched with the stream's by it). */
  id?: string;
  model: string;
  counts: TokenCounts;
}

function byModel(messages: MessageCounts[]): Map<string, TokenCounts[]> {
  const grouped = new Map<string, TokenCounts[]>();
  for (const { model, counts } of messages) grouped.set(model, [...(grouped.get(model) ?? []), counts]);
  return grouped;
}

/** Per-model usage of individual requests, each priced on its own (so long-context requests are seen). */
export function priceMessages(messages: MessageCounts[], prices: PriceTable): ModelTokenUsage {
  const usage: ModelTokenUsage = {};
  for (const [model, requests] of byModel(messages)) {
    const total = requests.reduce(addCounts, emptyCounts());
    const found = prices.lookup(model);
    usage[model] = { ...total, costUsd: costAtPrice(found?.price, total, requests), priceSource: found?.source ?? null };
  }
  return usage;
}

/** The 1-hour cache writes of some messages, per model. */
export function oneHourWritesByModel(messages: MessageCounts[]): Record<string, number> {
  const writes: Record<string, number> = {};
  for (const { model, counts } of messages) writes[model] = (writes[model] ?? 0) + counts.cacheCreation1hInputTokens;
  return writes;
}

/**
 * `result.modelUsage`, priced by us. It has no per-request counts and, before Claude Code
 * 2.1.3xx, no cache-write split. A model's 1-hour writes are the most that any source shows:
 * the result's own split, the call's streamed messages (their input-side counts are final), or
 * `elsewhere1h` (the subagents' transcripts, whose messages the stream partly lacks); the rest
 * of its writes are 5-minute. Requests the stream shows past a long-context threshold are
 * priced at long-context rates.
 */
export function priceBilled(
  modelUsage: Record<string, BilledModelUsage>,
  streamed: MessageCounts[],
  prices: PriceTable,
  elsewhere1h: Record<string, number> = {},
): ModelTokenUsage {
  const usage: ModelTokenUsage = {};
  const seen = byModel(streamed);
  for (const [model, billed] of Object.entries(modelUsage)) {
    if (model === SYNTHETIC_MODEL || typeof billed !== 'object' || billed === null) continue;
    const { counts, claudeCostUsd, oneHour: billedOneHour } = billedCounts(billed);
    const requests = seen.get(model) ?? [];
    const streamedOneHour = requests.reduce((n, r) => n + r.cacheCreation1hInputTokens, 0);
    const oneHour = Math.min(counts.cacheCreationInputTokens, Math.max(billedOneHour, streamedOneHour, elsewhere1h[model] ?? 0));
    const total: TokenCounts = {
      ...counts,
      cacheCreation5mInputTokens: counts.cacheCreationInputTokens - oneHour,
      cacheCreation1hInputTokens: oneHour,
    };
    usage[model] = {
      ...total,
      ...priceOrClaudeCode(prices, model, total, requests, claudeCostUsd),
      ...(claudeCostUsd !== undefined && { claudeCostUsd: roundCost(claudeCostUsd) }),
    };
  }
  return usage;
}

/**
 * Our price where a table knows the model, else Claude Code's own costUSD — unless that is 0 for
 * tokens billed, which only says Claude Code has no price for the model either.
 */
function priceOrClaudeCode(
  prices: PriceTable,
  model: string,
  total: TokenCounts,
  requests: TokenCounts[],
  claudeCostUsd: number | undefined,
): { costUsd: number | null; priceSource: string | null } {
  const found = prices.lookup(model);
  if (found) return { costUsd: costAtPrice(found.price, total, requests), priceSource: found.source };
  if (claudeCostUsd !== undefined && (claudeCostUsd > 0 || isZeroCounts(total))) {
    return { costUsd: roundCost(claudeCostUsd), priceSource: CLAUDE_CODE_SOURCE };
  }
  return { costUsd: null, priceSource: null };
}
