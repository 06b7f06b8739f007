import { addUsage } from '../../src/usage/math.js';
import { costAtPrice, PriceTable } from '../../src/usage/pricing.js';
import type { TokenCounts } from '../../src/usage/types.js';

const table = PriceTable.withOverrides();
const cost = (model: string, total: TokenCounts, requests: TokenCounts[] = [], prices = table) =>
  costAtPrice(prices.priceOf(model), total, requests);

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

const MILLION = 1_000_000;

describe('the price function', () => {
  it('prices list input and output per model family', () => {
    // [model, $ per million input, $ per million output], from the list prices
    const list: Array<[string, number, number]> = [
      ['claude-opus-4-5', 5, 25],
      ['claude-opus-4-8', 5, 25],
      ['claude-opus-4-1', 15, 75],
      ['claude-opus-4-1-20250805', 15, 75],
      ['claude-opus-4-20250514', 15, 75],
      ['claude-sonnet-4-5', 3, 15],
      ['claude-sonnet-4-20250514', 3, 15],
      ['claude-sonnet-4-6', 3, 15],
      ['claude-haiku-4-5', 1, 5],
      ['claude-3-5-haiku-20241022', 0.8, 4],
    ];
    for (const [model, input, output] of list) {
      expect([model, cost(model, counts({ inputTokens: MILLION }))]).toEqual([model, input]);
      expect([model, cost(model, counts({ outputTokens: MILLION }))]).toEqual([model, output]);
    }
  });

  it('prices 5-minute cache writes at 1.25x input, 1-hour writes at 2x, reads at 0.1x', () => {
    // Sonnet 4.5: 1,000 × $3 + 2,000 × $15 + 4,000 × $3.75 + 8,000 × $6 + 100,000 × $0.30
    //           = 3,000 + 30,000 + 15,000 + 48,000 + 30,000 = 126,000 per million
    const sonnet = counts({
      inputTokens: 1_000,
      outputTokens: 2_000,
      cacheCreation5mInputTokens: 4_000,
      cacheCreation1hInputTokens: 8_000,
      cacheReadInputTokens: 100_000,
    });
    expect(cost('claude-sonnet-4-5', sonnet)).toBe(0.126);
    // Opus 4.1: 10,000 × $18.75 + 10,000 × $30 + 10,000 × $1.50 = 502,500 per million
    expect(
      cost(
        'claude-opus-4-1',
        counts({ cacheCreation5mInputTokens: 10_000, cacheCreation1hInputTokens: 10_000, cacheReadInputTokens: 10_000 }),
      ),
    ).toBe(0.5025);
    // Haiku 3.5: 1,000,000 1-hour writes × $1.60
    expect(cost('claude-3-5-haiku-20241022', counts({ cacheCreation1hInputTokens: MILLION }))).toBe(1.6);
  });

  it('bills a Sonnet 4.5 request whose input passes 200K entirely at $6/$22.50, where per-request counts are known', () => {
    const long = counts({ inputTokens: 150_000, cacheReadInputTokens: 60_000, outputTokens: 1_000 }); // 210,000 in
    const short = counts({ inputTokens: 1_000, outputTokens: 100 });
    const total = counts({ inputTokens: 151_000, cacheReadInputTokens: 60_000, outputTokens: 1_100 });
    // long: 150,000 × $6 + 60,000 × $0.60 + 1,000 × $22.50 = 958,500; short: 1,000 × $3 + 100 × $15 = 4,500
    expect(cost('claude-sonnet-4-5', total, [long, short])).toBe(0.963);
    // the price database has no long-context tier for Sonnet 4 (4.0): its 1M beta was retired on
    // 2026-04-30, so only older requests could pass 200K; a `pricing:` entry with longContext restores it
    expect(cost('claude-sonnet-4-20250514', total, [long, short])).toBe(0.4875);
    // without per-request counts: all at base, 151,000 × $3 + 60,000 × $0.30 + 1,100 × $15 = 487,500
    expect(cost('claude-sonnet-4-5', total)).toBe(0.4875);
    // a model without the premium: base rates whatever the request size
    expect(cost('claude-sonnet-4-6', total, [long, short])).toBe(0.4875);
    // exactly 200,000 does not pass: 200,000 × $3
    const edge = counts({ inputTokens: 200_000 });
    expect(cost('claude-sonnet-4-5', edge, [edge])).toBe(0.6);
    // long-context cache writes: 250,000 5-minute writes × $7.50 (1.25 × $6)
    const writes = counts({ cacheCreation5mInputTokens: 250_000 });
    expect(cost('claude-sonnet-4-5', writes, [writes])).toBe(1.875);
  });

  it('gives null, not 0, for a model with no price', () => {
    expect(cost('claude-sonnet-9', counts({ inputTokens: 100_000 }))).toBeNull();
    expect(cost('gpt-4o', counts({}))).toBeNull();
  });

  it('takes `pricing:` overrides by prefix, the longest prefix winning; cache rates default from input', () => {
    const prices = PriceTable.withOverrides({
      'claude-sonnet-9': { input: 2, output: 10 },
      'claude-haiku-4-5-fast': { input: 4, output: 20, cacheRead: 1 },
    });
    // 100,000 × $2 + 10,000 5-minute writes × $2.50 + 10,000 1-hour writes × $4 + 10,000 reads × $0.20 = 267,000
    const used = counts({
      inputTokens: 100_000,
      cacheCreation5mInputTokens: 10_000,
      cacheCreation1hInputTokens: 10_000,
      cacheReadInputTokens: 10_000,
    });
    expect(cost('claude-sonnet-9-20270101', used, [], prices)).toBe(0.267);
    // the override wins over the database's claude-haiku-4-5 for its own prefix only: 10,000 reads × $1
    expect(cost('claude-haiku-4-5-fast', counts({ cacheReadInputTokens: 10_000 }), [], prices)).toBe(0.01);
    expect(cost('claude-haiku-4-5', counts({ cacheReadInputTokens: 10_000 }), [], prices)).toBe(0.001);
  });

  it('keeps a sum unknown when any part is unknown', () => {
    const known = { ...counts({ inputTokens: 1 }), costUsd: 0.5 };
    const unknown = { ...counts({ inputTokens: 2 }), costUsd: null };
    expect(addUsage(known, known).costUsd).toBe(1);
    expect(addUsage(known, unknown).costUsd).toBeNull();
    expect(addUsage(unknown, known).inputTokens).toBe(3);
  });
});
