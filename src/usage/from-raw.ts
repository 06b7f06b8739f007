import { roundCost } from './math.js';
import { priceUsage } from './pricing.js';
import type { ModelTokenUsage, TokenUsage } from './types.js';

/** Anthropic API usage as it appears on a message (snake_case). */
export interface ApiUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/** Claude Code's `result.modelUsage[model]` (camelCase, with the billed cost). */
export interface BilledModelUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  costUSD?: number;
}

/** The model name Claude Code gives messages it made up itself (errors, limits): no model, no row. */
export const SYNTHETIC_MODEL = '<synthetic>';

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Token counts of one API message, priced from the table (messages carry no cost). */
export function usageFromApi(model: string, usage: ApiUsage | undefined): TokenUsage {
  const tokens = {
    inputTokens: count(usage?.input_tokens),
    outputTokens: count(usage?.output_tokens),
    cacheCreationInputTokens: count(usage?.cache_creation_input_tokens),
    cacheReadInputTokens: count(usage?.cache_read_input_tokens),
  };
  return { ...tokens, costUsd: priceUsage(model, tokens) };
}

/** `result.modelUsage` as billed; `costUSD` wins over the pricing table when present. */
export function usageFromModelUsage(modelUsage: Record<string, BilledModelUsage> | undefined): ModelTokenUsage {
  const usage: ModelTokenUsage = {};
  for (const [model, billed] of Object.entries(modelUsage ?? {})) {
    if (model === SYNTHETIC_MODEL || typeof billed !== 'object' || billed === null) continue;
    const tokens = {
      inputTokens: count(billed.inputTokens),
      outputTokens: count(billed.outputTokens),
      cacheCreationInputTokens: count(billed.cacheCreationInputTokens),
      cacheReadInputTokens: count(billed.cacheReadInputTokens),
    };
    const costUsd = typeof billed.costUSD === 'number' ? roundCost(billed.costUSD) : priceUsage(model, tokens);
    usage[model] = { ...tokens, costUsd };
  }
  return usage;
}
