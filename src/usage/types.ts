/** Token counts and cost for one model, as billed. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  costUsd: number;
}

/** Usage keyed by model id, e.g. `{"claude-sonnet-4-5": {...}}`. */
export type ModelTokenUsage = Record<string, TokenUsage>;

/**
 * Where a call's numbers came from (DESIGN §4):
 * - result: `result.modelUsage`, what was billed;
 * - transcript: Claude Code's own session transcript, after a call ended without a usable result;
 * - estimate: the stream's per-message snapshots, when neither of the above could be read.
 */
export type UsageSource = 'result' | 'transcript' | 'estimate';

export const TOKEN_FIELDS = [
  'inputTokens',
  'outputTokens',
  'cacheCreationInputTokens',
  'cacheReadInputTokens',
] as const;

export type TokenField = (typeof TOKEN_FIELDS)[number];
