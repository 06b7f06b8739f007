import { roundCost } from './math.js';
import type { TokenUsage } from './types.js';

/** USD per million tokens. */
interface Price {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/**
 * Anthropic list prices, matched by model-id prefix (most specific first). Only used when the
 * CLI gave no `costUSD` (transcript recovery, stream estimates): billed costs always win.
 */
const PRICES: ReadonlyArray<readonly [prefix: string, price: Price]> = [
  ['claude-opus-4-1', { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }],
  ['claude-opus-4-0', { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }],
  ['claude-opus-4-2025', { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }],
  // Opus 4.5 and later (Claude Code 2.1.197 bills "claude-opus-4-1" requests as claude-opus-4-8)
  ['claude-opus-4-', { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 }],
  ['claude-3-opus', { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }],
  ['claude-sonnet-4', { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 }],
  ['claude-3-7-sonnet', { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 }],
  ['claude-3-5-sonnet', { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 }],
  ['claude-haiku-4', { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 }],
  ['claude-3-5-haiku', { input: 0.8, output: 4, cacheWrite: 1, cacheRead: 0.08 }],
  ['claude-3-haiku', { input: 0.25, output: 1.25, cacheWrite: 0.3, cacheRead: 0.03 }],
];

function priceOf(model: string): Price | undefined {
  return PRICES.find(([prefix]) => model.startsWith(prefix))?.[1];
}

/** Whether the table has a price for the model (without one, a USD cap on it cannot be checked). */
export function hasKnownPrice(model: string): boolean {
  return priceOf(model) !== undefined;
}

/** List-price cost of the token counts; 0 for a model the table does not know. */
export function priceUsage(model: string, usage: Omit<TokenUsage, 'costUsd'>): number {
  const price = priceOf(model);
  if (!price) return 0;
  const micro =
    usage.inputTokens * price.input +
    usage.outputTokens * price.output +
    usage.cacheCreationInputTokens * price.cacheWrite +
    usage.cacheReadInputTokens * price.cacheRead;
  return roundCost(micro / 1_000_000);
}
