/** Token counts for one model. Cache writes are also split by time-to-live (5-minute, 1-hour). */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  /** All cache writes: `cacheCreation5mInputTokens + cacheCreation1hInputTokens`. */
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  cacheCreation5mInputTokens: number;
  cacheCreation1hInputTokens: number;
}

/** Token counts and cost for one model. */
export interface TokenUsage extends TokenCounts {
  /** Our cost, from the counts and the price table; null when the model has no price. */
  costUsd: number | null;
  /** Claude Code's own `costUSD`, where it gave one for every part of this usage. */
  claudeCostUsd?: number;
}

/** Usage keyed by model id, e.g. `{"claude-sonnet-4-5": {...}}`. */
export type ModelTokenUsage = Record<string, TokenUsage>;

/**
 * Where a call's numbers came from:
 * - result: `result.modelUsage`, what was billed;
 * - transcript: Claude Code's own session transcript, after a call ended without a usable result;
 * - estimate: the stream's per-message snapshots, when neither of the above could be read;
 * - none: the call billed nothing (it failed or was killed before any response).
 */
export type UsageSource = 'result' | 'transcript' | 'estimate' | 'none';

export const TOKEN_FIELDS = [
  'inputTokens',
  'outputTokens',
  'cacheCreationInputTokens',
  'cacheReadInputTokens',
] as const;

export type TokenField = (typeof TOKEN_FIELDS)[number];

/** The cache-write split, kept beside the four counts. */
export const CACHE_WRITE_SPLIT_FIELDS = ['cacheCreation5mInputTokens', 'cacheCreation1hInputTokens'] as const;

export const ALL_COUNT_FIELDS = [...TOKEN_FIELDS, ...CACHE_WRITE_SPLIT_FIELDS] as const;
