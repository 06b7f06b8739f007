import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { calcPrice, findProvider, type ModelPrice as DatabasePrice, type TieredPrices } from '@pydantic/genai-prices';
import type { ModelPrice, Rates } from './pricing.js';

/**
 * Anthropic's list prices from @pydantic/genai-prices, a price database kept up to date by its
 * maintainers and released often; the package is pinned, so a price never changes under a
 * state file without a version change (the version is recorded as the price's source). The
 * bundle keeps its Anthropic data only (scripts/bundle.mjs).
 */
type Tiered = Pick<TieredPrices, 'base' | 'tiers'>;

const require = createRequire(import.meta.url);
const PACKAGE = '@pydantic/genai-prices';

let label: string | undefined;

/** `genai-prices@0.1.8`: the database and version that gave a price. */
export function databaseLabel(): string {
  if (label === undefined) {
    const main = require.resolve(PACKAGE);
    const manifest = JSON.parse(readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8')) as { version: string };
    label = `genai-prices@${manifest.version}`;
  }
  return label;
}

const baseOf = (value: number | Tiered | undefined): number | undefined => (typeof value === 'object' ? value.base : value);

function tierOf(value: number | Tiered | undefined, start: number): number | undefined {
  if (typeof value !== 'object') return value;
  return [...value.tiers].reverse().find((tier) => tier.start <= start)?.price ?? value.base;
}

function ratesAt(prices: DatabasePrice, at: (value: number | Tiered | undefined) => number | undefined): Rates | undefined {
  const input = at(prices.input_mtok);
  const output = at(prices.output_mtok);
  if (input === undefined || output === undefined) return undefined;
  return {
    input,
    output,
    cacheWrite5m: at(prices.cache_write_mtok) ?? input * 1.25,
    cacheWrite1h: at(prices.cache_write_1h_mtok) ?? input * 2,
    cacheRead: at(prices.cache_read_mtok) ?? input * 0.1,
  };
}

/**
 * The database's price for a model (a canonical name), as it stands today. Its tiers are
 * Anthropic's long-context rule: a request whose input passes the tier's start is billed
 * entirely at the tier's rates.
 */
export function databasePrice(model: string): ModelPrice | undefined {
  const found = calcPrice({ input_tokens: 1 }, model, { providerId: 'anthropic' });
  if (!found) return undefined;
  const prices = found.model_price;
  const base = ratesAt(prices, baseOf);
  if (!base) return undefined;
  const starts = Object.values(prices).flatMap((value) => (typeof value === 'object' ? value.tiers.map((tier) => tier.start) : []));
  if (starts.length === 0) return base;
  const thresholdTokens = Math.min(...starts);
  const long = ratesAt(prices, (value) => tierOf(value, thresholdTokens));
  return long ? { ...base, longContext: { ...long, thresholdTokens } } : base;
}

/** The Anthropic models the database prices, by its own ids. */
export function databaseModels(): string[] {
  return (findProvider({ providerId: 'anthropic' })?.models ?? []).map((model) => model.id);
}
