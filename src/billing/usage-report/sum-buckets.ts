import type { BilledCounts, BillingWindow, UsageBucket } from '../types.js';

export function emptyBilled(): BilledCounts {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheCreation5mInputTokens: 0,
    cacheCreation1hInputTokens: 0,
    cacheReadInputTokens: 0,
  };
}

export function addBilled(a: BilledCounts, b: BilledCounts): BilledCounts {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheCreation5mInputTokens: a.cacheCreation5mInputTokens + b.cacheCreation5mInputTokens,
    cacheCreation1hInputTokens: a.cacheCreation1hInputTokens + b.cacheCreation1hInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
  };
}

/** Per model, the sum over the buckets that lie inside `window` (a page may hold more). */
export function sumBuckets(buckets: UsageBucket[], window: BillingWindow): Record<string, BilledCounts> {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  const total: Record<string, BilledCounts> = {};
  for (const bucket of buckets) {
    if (Date.parse(bucket.startingAt) < start || Date.parse(bucket.startingAt) >= end) continue;
    for (const [model, counts] of Object.entries(bucket.models)) total[model] = addBilled(total[model] ?? emptyBilled(), counts);
  }
  return total;
}
