import { TOKEN_FIELDS, type ModelTokenUsage, type TokenCounts, type TokenUsage } from './types.js';

export function emptyCounts(): TokenCounts {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    cacheCreation5mInputTokens: 0,
    cacheCreation1hInputTokens: 0,
  };
}

export function emptyUsage(): TokenUsage {
  return { ...emptyCounts(), costUsd: 0 };
}

/** The split of a usage read from an older state file, which had none: its writes count as 5-minute. */
export function splitOf(usage: TokenCounts): Pick<TokenCounts, 'cacheCreation5mInputTokens' | 'cacheCreation1hInputTokens'> {
  const oneHour = usage.cacheCreation1hInputTokens ?? 0;
  return {
    cacheCreation5mInputTokens: usage.cacheCreation5mInputTokens ?? usage.cacheCreationInputTokens - oneHour,
    cacheCreation1hInputTokens: oneHour,
  };
}

export function addCounts(a: TokenCounts, b: TokenCounts): TokenCounts {
  const sa = splitOf(a);
  const sb = splitOf(b);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheCreation5mInputTokens: sa.cacheCreation5mInputTokens + sb.cacheCreation5mInputTokens,
    cacheCreation1hInputTokens: sa.cacheCreation1hInputTokens + sb.cacheCreation1hInputTokens,
  };
}

/** A cost that is unknown in any part is unknown in the sum. */
export function addCost(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : roundCost(a + b);
}

/** The sources of a sum: each once, in first-seen order; null when a part was priced by nobody. */
export function addPriceSource(a: string | null | undefined, b: string | null | undefined): string | null | undefined {
  if (a === null || b === null) return null;
  if (a === undefined || b === undefined) return a ?? b;
  return [...new Set([...a.split(', '), ...b.split(', ')])].join(', ');
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const claude = a.claudeCostUsd !== undefined && b.claudeCostUsd !== undefined ? roundCost(a.claudeCostUsd + b.claudeCostUsd) : undefined;
  const source = addPriceSource(a.priceSource, b.priceSource);
  return {
    ...addCounts(a, b),
    costUsd: addCost(a.costUsd, b.costUsd),
    ...(claude !== undefined && { claudeCostUsd: claude }),
    ...(source !== undefined && { priceSource: source }),
  };
}

function sumOf(parts: TokenUsage[]): TokenUsage {
  const [first, ...rest] = parts;
  if (!first) return emptyUsage();
  // the first part is not added to an empty usage: that would drop its claudeCostUsd
  return rest.reduce(addUsage, { ...first, ...splitOf(first) });
}

/** Sum of any number of per-model usages; models keep their own rows, in first-seen order. */
export function sumModelUsage(...parts: ModelTokenUsage[]): ModelTokenUsage {
  const byModel = new Map<string, TokenUsage[]>();
  for (const part of parts) {
    for (const [model, usage] of Object.entries(part)) byModel.set(model, [...(byModel.get(model) ?? []), usage]);
  }
  return Object.fromEntries([...byModel].map(([model, usages]) => [model, sumOf(usages)]));
}

/** One usage over all models. */
export function totalOf(usage: ModelTokenUsage): TokenUsage {
  return sumOf(Object.values(usage));
}

export function isZeroCounts(counts: TokenCounts): boolean {
  return TOKEN_FIELDS.every((field) => counts[field] === 0);
}

export function isZeroUsage(usage: TokenUsage): boolean {
  return isZeroCounts(usage) && (usage.costUsd === 0 || usage.costUsd === null);
}

export function isEmptyOrZero(usage: ModelTokenUsage): boolean {
  return Object.values(usage).every(isZeroUsage);
}

/** The models whose cost is unknown (no price for them). */
export function unpricedModels(usage: ModelTokenUsage): string[] {
  return Object.entries(usage)
    .filter(([, u]) => u.costUsd === null)
    .map(([model]) => model);
}

/**
 * Costs are sums of many small floats; rounding to 1e-10 USD keeps totals stable
 * (0.1 + 0.2 stays 0.3) without losing anything a bill shows.
 */
export function roundCost(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

/** A cost that may be unknown (a model without a price), rounded as `roundCost` does. */
export function roundKnownCost(value: number | null): number | null {
  return value === null ? null : roundCost(value);
}
