import { readFileSync } from 'node:fs';
import { roundCost } from './math.js';
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

/** A price as written in prices.json or under `pricing:` in the config: cache rates may be left out. */
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

interface PriceFile {
  source: string;
  date: string;
  models: Record<string, PriceEntry>;
}

let bundled: PriceFile | undefined;

/** prices.json, shipped beside this module. */
export function bundledPrices(): PriceFile {
  bundled ??= JSON.parse(readFileSync(new URL('./prices.json', import.meta.url), 'utf8')) as PriceFile;
  return bundled;
}

/** Prices by model-id prefix; the longest prefix that starts a model id is its price. */
export class PriceTable {
  private readonly prices: Array<[prefix: string, price: ModelPrice]>;

  constructor(entries: Record<string, PriceEntry>) {
    this.prices = Object.entries(entries)
      .map(([prefix, entry]): [string, ModelPrice] => [prefix, priceOfEntry(entry)])
      .sort(([a], [b]) => b.length - a.length);
  }

  /** The bundled list prices, with the config's `pricing:` entries added or replacing them. */
  static withOverrides(overrides: Record<string, PriceEntry> = {}): PriceTable {
    return new PriceTable({ ...bundledPrices().models, ...overrides });
  }

  priceOf(model: string): ModelPrice | undefined {
    return this.prices.find(([prefix]) => model.startsWith(prefix))?.[1];
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
export function costOf(price: ModelPrice | undefined, total: TokenCounts, requests: TokenCounts[] = []): number | null {
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
