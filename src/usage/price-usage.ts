import { billedCounts, SYNTHETIC_MODEL, type BilledModelUsage } from './from-raw.js';
import { addCounts, emptyCounts, roundCost } from './math.js';
import { costOf, type PriceTable } from './pricing.js';
import type { ModelTokenUsage, TokenCounts } from './types.js';

/** One API request's counts, as a stream snapshot or a transcript entry gives them. */
export interface MessageCounts {
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
    usage[model] = { ...total, costUsd: costOf(prices.priceOf(model), total, requests) };
  }
  return usage;
}

/**
 * `result.modelUsage`, priced by us. It has no cache-write split and no per-request counts, so
 * both come from the call's stream: a model's 1-hour writes are those its streamed messages
 * show (their input-side counts are final), the rest of its writes are 5-minute; requests the
 * stream shows past a long-context threshold are priced at long-context rates.
 */
export function priceBilled(modelUsage: Record<string, BilledModelUsage>, streamed: MessageCounts[], prices: PriceTable): ModelTokenUsage {
  const usage: ModelTokenUsage = {};
  const seen = byModel(streamed);
  for (const [model, billed] of Object.entries(modelUsage)) {
    if (model === SYNTHETIC_MODEL || typeof billed !== 'object' || billed === null) continue;
    const { counts, claudeCostUsd } = billedCounts(billed);
    const requests = seen.get(model) ?? [];
    const streamedOneHour = requests.reduce((n, r) => n + r.cacheCreation1hInputTokens, 0);
    const oneHour = Math.min(counts.cacheCreationInputTokens, streamedOneHour);
    const total: TokenCounts = {
      ...counts,
      cacheCreation5mInputTokens: counts.cacheCreationInputTokens - oneHour,
      cacheCreation1hInputTokens: oneHour,
    };
    usage[model] = {
      ...total,
      costUsd: costOf(prices.priceOf(model), total, requests),
      ...(claudeCostUsd !== undefined && { claudeCostUsd: roundCost(claudeCostUsd) }),
    };
  }
  return usage;
}
