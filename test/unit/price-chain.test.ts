/**
 * Where a price comes from, in order: the config's `pricing:`, the price database
 * (@pydantic/genai-prices), Claude Code's own costUSD; nobody gives null. Expected amounts are
 * worked out here from Anthropic's list prices per million tokens.
 */
import { readFileSync } from 'node:fs';
import { addUsage } from '../../src/usage/math.js';
import { databaseLabel } from '../../src/usage/price-database.js';
import { priceBilled, priceMessages } from '../../src/usage/price-usage.js';
import { costAtPrice, PriceTable } from '../../src/usage/pricing.js';
import type { TokenCounts } from '../../src/usage/types.js';
import { REPO } from '../integration/helpers.js';

const MILLION = 1_000_000;
const table = new PriceTable();

function counts(c: Partial<TokenCounts>): TokenCounts {
  const fiveMinute = c.cacheCreation5mInputTokens ?? 0;
  const oneHour = c.cacheCreation1hInputTokens ?? 0;
  return {
    inputTokens: c.inputTokens ?? 0,
    outputTokens: c.outputTokens ?? 0,
    cacheReadInputTokens: c.cacheReadInputTokens ?? 0,
    cacheCreation5mInputTokens: fiveMinute,
    cacheCreation1hInputTokens: oneHour,
    cacheCreationInputTokens: fiveMinute + oneHour,
  };
}

const cost = (model: string, c: TokenCounts, requests: TokenCounts[] = [], prices = table) =>
  costAtPrice(prices.priceOf(model), c, requests);

describe('the price chain', () => {
  it('names the database by the version installed', () => {
    const installed = JSON.parse(readFileSync(`${REPO}/node_modules/@pydantic/genai-prices/package.json`, 'utf8')).version;
    expect(databaseLabel()).toBe(`genai-prices@${installed}`);
  });

  it('takes a `pricing:` entry first, then the database', () => {
    const prices = new PriceTable({ 'claude-sonnet-4-5': { input: 1, output: 2 } });
    expect(prices.lookup('claude-sonnet-4-5')?.source).toBe('config');
    expect(cost('claude-sonnet-4-5', counts({ inputTokens: MILLION }), [], prices)).toBe(1);
    // not overridden: the database's list price ($2/$10 for Sonnet 5)
    expect(prices.lookup('claude-sonnet-5')?.source).toBe(databaseLabel());
    expect(cost('claude-sonnet-5', counts({ inputTokens: MILLION, outputTokens: MILLION }), [], prices)).toBe(12);
    expect(prices.lookup('claude-sonnet-9')).toBeUndefined();
  });

  it("falls back to Claude Code's costUSD for a model no table knows, and to nobody without one", () => {
    const billed = { inputTokens: 10_000, outputTokens: 100, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
    const usage = priceBilled(
      {
        'claude-haiku-5-5': { ...billed, costUSD: 0.0125 },
        'claude-sonnet-9': billed,
        // 0 for tokens billed: Claude Code has no price either
        'claude-opus-9': { ...billed, costUSD: 0 },
        'claude-sonnet-5': { ...billed, costUSD: 99 },
      },
      [],
      table,
    );
    expect(usage['claude-haiku-5-5']).toEqual(
      expect.objectContaining({ costUsd: 0.0125, claudeCostUsd: 0.0125, priceSource: 'claude-code' }),
    );
    expect(usage['claude-sonnet-9']).toEqual(expect.objectContaining({ costUsd: null, priceSource: null }));
    expect(usage['claude-opus-9']).toEqual(expect.objectContaining({ costUsd: null, claudeCostUsd: 0, priceSource: null }));
    // a table that knows the model wins over Claude Code: 10,000 × $2 + 100 × $10 = 21,000 per million
    expect(usage['claude-sonnet-5']).toEqual(expect.objectContaining({ costUsd: 0.021, claudeCostUsd: 99, priceSource: databaseLabel() }));
    // and a `pricing:` entry wins over Claude Code too: 10,000 × $1 + 100 × $5
    const configured = priceBilled(
      { 'claude-haiku-5-5': { ...billed, costUSD: 0.0125 } },
      [],
      new PriceTable({ 'claude-haiku-5-5': { input: 1, output: 5 } }),
    );
    expect(configured['claude-haiku-5-5']).toEqual(expect.objectContaining({ costUsd: 0.0105, priceSource: 'config' }));
    // messages (transcript, estimate) carry no costUSD: an unknown model stays unknown
    expect(priceMessages([{ model: 'claude-haiku-5-5', counts: counts({ inputTokens: 5 }) }], table)['claude-haiku-5-5']).toEqual(
      expect.objectContaining({ costUsd: null, priceSource: null }),
    );
  });

  it('prices 1-hour cache writes at their own rate (2x input), 5-minute at 1.25x', () => {
    // Opus 4.6: $5 input → $10 per million 1-hour writes, $6.25 5-minute
    expect(cost('claude-opus-4-6', counts({ cacheCreation1hInputTokens: MILLION }))).toBe(10);
    expect(cost('claude-opus-4-6', counts({ cacheCreation5mInputTokens: MILLION }))).toBe(6.25);
    // Sonnet 5: $2 input → $4
    expect(cost('claude-sonnet-5', counts({ cacheCreation1hInputTokens: MILLION }))).toBe(4);
  });

  it('reads at 0.05x input where the database says so (Opus 5.5), 0.1x elsewhere', () => {
    // Opus 5.5: $4 input, $0.20 per million cache reads
    expect(cost('claude-opus-5-5', counts({ cacheReadInputTokens: MILLION }))).toBe(0.2);
    expect(cost('claude-opus-5-5', counts({ inputTokens: MILLION }))).toBe(4);
    expect(cost('claude-sonnet-5', counts({ cacheReadInputTokens: MILLION }))).toBe(0.2);
  });

  it("applies the database's long-context tier to a request whose input passes 200K (Sonnet 4.5)", () => {
    const long = counts({ inputTokens: 150_000, cacheReadInputTokens: 60_000, outputTokens: 1_000 });
    // 150,000 × $6 + 60,000 × $0.60 + 1,000 × $22.50 = 958,500 per million
    expect(cost('claude-sonnet-4-5', long, [long])).toBe(0.9585);
    expect(table.priceOf('claude-sonnet-4-5')?.longContext).toEqual({
      thresholdTokens: 200_000,
      input: 6,
      output: 22.5,
      cacheWrite5m: 7.5,
      cacheWrite1h: 12,
      cacheRead: 0.6,
    });
    // Opus 4.6's tier ended on 2026-03-13: flat pricing today
    expect(table.priceOf('claude-opus-4-6')?.longContext).toBeUndefined();
  });

  it('looks every spelling of a model up by its one canonical name, in the config too', () => {
    const spellings = [
      'claude-sonnet-4-5',
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-4-5[1m]',
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'claude-sonnet-4-5@20250929',
    ];
    for (const model of spellings) expect([model, cost(model, counts({ inputTokens: MILLION }))]).toEqual([model, 3]);
    const prices = new PriceTable({ 'claude-sonnet-9-20270101': { input: 7, output: 70 } });
    expect(prices.lookup('claude-sonnet-9[1m]')).toEqual(expect.objectContaining({ source: 'config' }));
    expect(cost('claude-sonnet-9[1m]', counts({ inputTokens: MILLION }), [], prices)).toBe(7);
  });

  it('keeps the sources of a sum, each once; a part priced by nobody makes the sum unknown', () => {
    const part = (costUsd: number | null, priceSource: string | null) => ({ ...counts({ inputTokens: 1 }), costUsd, priceSource });
    expect(addUsage(part(1, 'config'), part(2, 'claude-code')).priceSource).toBe('config, claude-code');
    expect(addUsage(part(1, 'config'), part(2, 'config')).priceSource).toBe('config');
    expect(addUsage(part(1, 'config'), part(null, null))).toEqual(expect.objectContaining({ costUsd: null, priceSource: null }));
  });
});
