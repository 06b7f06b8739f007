import type { z } from 'zod';
import { splitOf } from '../usage/math.js';
import { usageRows } from '../usage/rows.js';
import type { ModelTokenUsage, TokenUsage } from '../usage/types.js';
import type { ModelUsageRowSchema, UsageCountsSchema, UsageSummarySchema } from './output-schemas.js';

/** The counts and the costs: what every row of every report holds (null: unknown). */
export type UsageCounts = z.infer<typeof UsageCountsSchema>;
export type ModelUsageRow = z.infer<typeof ModelUsageRowSchema>;
/** Per-model rows (by cost, highest first, as `usageRows` orders them) and their total. */
export type UsageSummary = z.infer<typeof UsageSummarySchema>;

function counts(usage: TokenUsage): UsageCounts {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheCreationInputTokens: usage.cacheCreationInputTokens,
    cacheReadInputTokens: usage.cacheReadInputTokens,
    ...splitOf(usage),
    costUsd: usage.costUsd,
    claudeCostUsd: usage.claudeCostUsd ?? null,
    priceSource: usage.priceSource ?? null,
  };
}

/** `usageRows` as plain data: the form tables, JSON and HTML all read. */
export function summarizeUsage(usage: ModelTokenUsage | undefined): UsageSummary {
  const rows = usageRows(usage ?? {});
  const total = rows.find((row) => row.isTotal);
  return {
    models: rows.filter((row) => !row.isTotal).map((row) => ({ model: row.label, ...counts(row.usage) })),
    total: counts(total!.usage),
  };
}

/** All four counts added up. */
export function tokenCount(usage: UsageCounts): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
}

/**
 * Share of the prompt that was read from the cache: cache read / (input + cache write + cache
 * read). Undefined when nothing was sent at all.
 */
export function cacheHitRatio(usage: UsageCounts): number | undefined {
  const prompt = usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
  return prompt === 0 ? undefined : usage.cacheReadInputTokens / prompt;
}
