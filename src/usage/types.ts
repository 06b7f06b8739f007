import type { z } from 'zod';
import { choice, count, keyed, num, record, text } from '../declare/rules.js';

/**
 * Token counts and cost for one model. Cache writes are also split by time-to-live (5-minute,
 * 1-hour); files written before the split was recorded read as all 5-minute writes.
 */
export const TokenUsageSchema = record({
  inputTokens: count(),
  outputTokens: count(),
  /** All cache writes: `cacheCreation5mInputTokens + cacheCreation1hInputTokens`. */
  cacheCreationInputTokens: count(),
  cacheReadInputTokens: count(),
  cacheCreation5mInputTokens: count().optional(),
  cacheCreation1hInputTokens: count().default(0),
  /** Our cost, from the counts at the rates of the first source that prices the model; null when none does. */
  costUsd: num({ min: 0 }).nullable(),
  /** Claude Code's own `costUSD`, where it gave one for every part of this usage. */
  claudeCostUsd: num({ min: 0 }).optional(),
  /**
   * Who priced `costUsd`: "config" (a `pricing:` entry), the price database and its version
   * ("genai-prices@0.1.8"), "claude-code" (Claude Code's own costUSD, when no table knows the
   * model), several of them joined by ", " in a sum, or null: nobody could. Absent in older files.
   */
  priceSource: text().nullable().optional(),
}).transform((usage) => ({
  ...usage,
  cacheCreation5mInputTokens: usage.cacheCreation5mInputTokens ?? usage.cacheCreationInputTokens - usage.cacheCreation1hInputTokens,
}));
export type TokenUsage = z.output<typeof TokenUsageSchema>;

/** Token counts for one model, without cost. */
export type TokenCounts = Omit<TokenUsage, 'costUsd' | 'claudeCostUsd' | 'priceSource'>;

/** Usage keyed by model id, e.g. `{"claude-sonnet-4-5": {...}}`. */
export const ModelTokenUsageSchema = keyed(TokenUsageSchema);
export type ModelTokenUsage = z.output<typeof ModelTokenUsageSchema>;

/**
 * Where a call's numbers came from:
 * - result: `result.modelUsage`, what was billed;
 * - transcript: Claude Code's own session transcript, after a call ended without a usable result;
 * - estimate: the stream's per-message snapshots, when neither of the above could be read;
 * - none: the call billed nothing (it failed or was killed before any response).
 */
export const USAGE_SOURCES = ['result', 'transcript', 'estimate', 'none'] as const;
export const UsageSourceSchema = choice(USAGE_SOURCES);
export type UsageSource = z.infer<typeof UsageSourceSchema>;

export const TOKEN_FIELDS = ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens'] as const;

export type TokenField = (typeof TOKEN_FIELDS)[number];

/** The cache-write split, kept beside the four counts. */
export const CACHE_WRITE_SPLIT_FIELDS = ['cacheCreation5mInputTokens', 'cacheCreation1hInputTokens'] as const;

export const ALL_COUNT_FIELDS = [...TOKEN_FIELDS, ...CACHE_WRITE_SPLIT_FIELDS] as const;
