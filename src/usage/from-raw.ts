import type { TokenCounts } from './types.js';

/** Anthropic API usage as it appears on a message (snake_case). */
export interface ApiUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number };
}

/** Claude Code's `result.modelUsage[model]` (camelCase, with Claude Code's own cost). */
export interface BilledModelUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  /** Since Claude Code 2.1.3xx. */
  cacheCreationEphemeral1hInputTokens?: number;
  costUSD?: number;
}

/** The model name Claude Code gives messages it made up itself (errors, limits): no model, no row. */
export const SYNTHETIC_MODEL = '<synthetic>';

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Token counts of one API message. A message without `cache_creation` (older APIs) has all its
 * writes counted as 5-minute, the API's default time-to-live.
 */
export function countsFromApi(usage: ApiUsage | undefined): TokenCounts {
  const cacheWrites = count(usage?.cache_creation_input_tokens);
  const oneHour = Math.min(cacheWrites, count(usage?.cache_creation?.ephemeral_1h_input_tokens));
  return {
    inputTokens: count(usage?.input_tokens),
    outputTokens: count(usage?.output_tokens),
    cacheCreationInputTokens: cacheWrites,
    cacheReadInputTokens: count(usage?.cache_read_input_tokens),
    cacheCreation5mInputTokens: cacheWrites - oneHour,
    cacheCreation1hInputTokens: oneHour,
  };
}

/**
 * One model's `result.modelUsage` entry: its four counts, the 1-hour writes it names (0 when it
 * has no split: before 2.1.3xx) and Claude Code's cost.
 */
export function billedCounts(billed: BilledModelUsage): {
  counts: Omit<TokenCounts, 'cacheCreation5mInputTokens' | 'cacheCreation1hInputTokens'>;
  oneHour: number;
  claudeCostUsd: number | undefined;
} {
  return {
    oneHour: count(billed.cacheCreationEphemeral1hInputTokens),
    counts: {
      inputTokens: count(billed.inputTokens),
      outputTokens: count(billed.outputTokens),
      cacheCreationInputTokens: count(billed.cacheCreationInputTokens),
      cacheReadInputTokens: count(billed.cacheReadInputTokens),
    },
    claudeCostUsd: typeof billed.costUSD === 'number' && Number.isFinite(billed.costUSD) ? billed.costUSD : undefined,
  };
}
