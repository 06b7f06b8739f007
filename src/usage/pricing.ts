import { roundCost } from './math.js';
import { canonicalModel } from './model-name.js';
import { databaseLabel, databasePrice } from './price-database.js';
import type { TokenCounts } from './types.js';

/** USD per million tokens. */
export interface Rates {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export interface ModelPrice extends Rates {
  /** A request whose input passes `thresholdTokens` is billed entirely at these rates. */
  longContext?: Rates & { thresholdTokens: number };
}

/** A price as written under `pricing:` in the config: cache rates may be left out. */
export interface PriceEntry {
  input: number;
  output: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  cacheRead?: number;
  longContext?: PriceEntry & { thresholdTokens: number };
}

const CACHE_WRITE_5M_FACTOR = 1.25;
const CACHE_WRITE_1H_FACTOR = 2;
const CACHE_READ_FACTOR = 0.1;

function ratesOf(entry: PriceEntry): Rates {
  return {
    input: entry.input,
    output: entry.output,
    cacheWrite5m: entry.cacheWrite5m ?? entry.input * CACHE_WRITE_5M_FACTOR,
    cacheWrite1h: entry.cacheWrite1h ?? entry.input * CACHE_WRITE_1H_FACTOR,
    cacheRead: entry.cacheRead ?? entry.input * CACHE_READ_FACTOR,
  };
}

function priceOfEntry(entry: PriceEntry): ModelPrice {
  const long = entry.longContext;
  return { ...ratesOf(entry), ...(long && { longContext: { ...ratesOf(long), thresholdTokens: long.thresholdTokens } }) };
}

/** Who priced a model: the config's `pricing:`, the price database (with its version), or Claude Code's own costUSD. */
export type PriceSource = string;
export const CONFIG_SOURCE = 'config';
export const CLAUDE_CODE_SOURCE = 'claude-code';

export interface FoundPrice {
  price: ModelPrice;
  source: PriceSource;
}

/**
 * The chain of price tables: the config's `pricing:` entries first (by model-id prefix, the
 * longest winning), then the price database. Names on both sides are canonical
 * (`canonicalModel`), so a dated snapshot or a `[1m]` suffix gets its model's price.
 */
export class PriceTable {
  private readonly overrides: Array<[prefix: string, price: ModelPrice]>;
  private readonly found = new Map<string, FoundPrice | undefined>();

  constructor(overrides: Record<string, PriceEntry> = {}) {
    this.overrides = Object.entries(overrides)
      .map(([prefix, entry]): [string, ModelPrice] => [canonicalModel(prefix), priceOfEntry(entry)])
      .sort(([a], [b]) => b.length - a.length);
  }

  /** The price database, with the config's `pricing:` entries before it. */
  static withOverrides(overrides: Record<string, PriceEntry> = {}): PriceTable {
    return new PriceTable(overrides);
  }

  /** A model's price and who gave it; undefined when no table knows it. */
  lookup(model: string): FoundPrice | undefined {
    const name = canonicalModel(model);
    if (!this.found.has(name)) this.found.set(name, this.search(name));
    return this.found.get(name);
  }

  /** The model-id prefixes of the config's `pricing:` entries, canonical. */
  configured(): string[] {
    return this.overrides.map(([prefix]) => prefix);
  }

  priceOf(model: string): ModelPrice | undefined {
    return this.lookup(model)?.price;
  }

  private search(name: string): FoundPrice | undefined {
    const override = this.overrides.find(([prefix]) => name.startsWith(prefix))?.[1];
    if (override) return { price: override, source: CONFIG_SOURCE };
    const price = databasePrice(name);
    return price && { price, source: databaseLabel() };
  }
}

/** Tokens a request was billed as input: uncached input, cache writes and cache reads. */
export function inputSide(counts: TokenCounts): number {
  return counts.inputTokens + counts.cacheCreationInputTokens + counts.cacheReadInputTokens;
}

function atRates(rates: Rates, counts: TokenCounts): number {
  return (
    counts.inputTokens * rates.input +
    counts.outputTokens * rates.output +
    counts.cacheCreation5mInputTokens * rates.cacheWrite5m +
    counts.cacheCreation1hInputTokens * rates.cacheWrite1h +
    counts.cacheReadInputTokens * rates.cacheRead
  );
}

function minus(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    inputTokens: Math.max(0, a.inputTokens - b.inputTokens),
    outputTokens: Math.max(0, a.outputTokens - b.outputTokens),
    cacheCreationInputTokens: Math.max(0, a.cacheCreationInputTokens - b.cacheCreationInputTokens),
    cacheReadInputTokens: Math.max(0, a.cacheReadInputTokens - b.cacheReadInputTokens),
    cacheCreation5mInputTokens: Math.max(0, a.cacheCreation5mInputTokens - b.cacheCreation5mInputTokens),
    cacheCreation1hInputTokens: Math.max(0, a.cacheCreation1hInputTokens - b.cacheCreation1hInputTokens),
  };
}

/**
 * The cost of one model's counts; null when the model has no price. `requests` are the
 * per-request counts where they are known: those whose input passes the model's long-context
 * threshold are priced at its long-context rates, the rest of `total` at its base rates.
 */
export function costAtPrice(price: ModelPrice | undefined, total: TokenCounts, requests: TokenCounts[] = []): number | null {
  if (!price) return null;
  const long = price.longContext;
  let rest = total;
  let micro = 0;
  if (long) {
    for (const request of requests.filter((r) => inputSide(r) > long.thresholdTokens)) {
      micro += atRates(long, request);
      rest = minus(rest, request);
    }
  }
  micro += atRates(price, rest);
  return roundCost(micro / 1_000_000);
}
