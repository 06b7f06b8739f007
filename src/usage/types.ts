import { z } from 'zod';
import { choice, count, keyed, num, record } from '../declare/rules.js';

/** Token counts and cost for one model, as billed. */
export const TokenUsageSchema = record({
  inputTokens: count(),
  outputTokens: count(),
  cacheCreationInputTokens: count(),
  cacheReadInputTokens: count(),
  costUsd: num({ min: 0 }),
});
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

/** Usage keyed by model id, e.g. `{"claude-sonnet-4-5": {...}}`. */
export const ModelTokenUsageSchema = keyed(TokenUsageSchema);
export type ModelTokenUsage = z.infer<typeof ModelTokenUsageSchema>;

/**
 * Where a call's numbers came from:
 * - result: `result.modelUsage`, what was billed;
 * - transcript: Claude Code's own session transcript, after a call ended without a usable result;
 * - estimate: the stream's per-message snapshots, when neither of the above could be read.
 */
export const USAGE_SOURCES = ['result', 'transcript', 'estimate'] as const;
export const UsageSourceSchema = choice(USAGE_SOURCES);
export type UsageSource = z.infer<typeof UsageSourceSchema>;

export const TOKEN_FIELDS = [
  'inputTokens',
  'outputTokens',
  'cacheCreationInputTokens',
  'cacheReadInputTokens',
] as const;

export type TokenField = (typeof TOKEN_FIELDS)[number];
