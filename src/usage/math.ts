import { TOKEN_FIELDS, type ModelTokenUsage, type TokenUsage } from './types.js';

export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0 };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    costUsd: roundCost(a.costUsd + b.costUsd),
  };
}

/** Sum of any number of per-model usages; models keep their own rows, in first-seen order. */
export function sumModelUsage(...parts: ModelTokenUsage[]): ModelTokenUsage {
  const total: ModelTokenUsage = {};
  for (const part of parts) {
    for (const [model, usage] of Object.entries(part)) {
      total[model] = addUsage(total[model] ?? emptyUsage(), usage);
    }
  }
  return total;
}

/** One usage over all models. */
export function totalOf(usage: ModelTokenUsage): TokenUsage {
  return Object.values(usage).reduce(addUsage, emptyUsage());
}

export function isZeroUsage(usage: TokenUsage): boolean {
  return TOKEN_FIELDS.every((field) => usage[field] === 0) && usage.costUsd === 0;
}

export function isEmptyOrZero(usage: ModelTokenUsage): boolean {
  return Object.values(usage).every(isZeroUsage);
}

/**
 * Costs are sums of many small floats; rounding to 1e-10 USD keeps totals stable
 * (0.1 + 0.2 stays 0.3) without losing anything a bill shows.
 */
export function roundCost(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}
