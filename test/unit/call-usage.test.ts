import { CallUsageAccumulator } from '../../src/usage/call-usage.js';
import { databaseLabel } from '../../src/usage/price-database.js';
import { PriceTable } from '../../src/usage/pricing.js';

const prices = PriceTable.withOverrides();
const snapshot = { input_tokens: 100, output_tokens: 1, cache_creation_input_tokens: 50, cache_read_input_tokens: 10 };

describe('CallUsageAccumulator', () => {
  it('keeps one snapshot per message id: repeats replace, never add', () => {
    const acc = new CallUsageAccumulator(prices);
    acc.recordMessage('m1', 'claude-sonnet-4-5', snapshot);
    acc.recordMessage('m1', 'claude-sonnet-4-5', snapshot);
    acc.recordMessage('m1', 'claude-sonnet-4-5', { ...snapshot, output_tokens: 7 });
    acc.recordMessage('m2', 'claude-sonnet-4-5', { input_tokens: 5, output_tokens: 2 });
    const usage = acc.estimate()['claude-sonnet-4-5'];
    expect(usage).toMatchObject({ inputTokens: 105, outputTokens: 9, cacheCreationInputTokens: 50, cacheReadInputTokens: 10 });
  });

  it('keeps models apart and gives <synthetic> messages no row', () => {
    const acc = new CallUsageAccumulator(prices);
    acc.recordMessage('m1', 'claude-sonnet-4-5', snapshot);
    acc.recordMessage('m2', 'claude-haiku-4-5', { input_tokens: 3, output_tokens: 4 });
    acc.recordMessage('m3', '<synthetic>', { input_tokens: 0, output_tokens: 0 });
    expect(Object.keys(acc.estimate()).sort()).toEqual(['claude-haiku-4-5', 'claude-sonnet-4-5']);
  });

  it('replaces the estimate with result.modelUsage, priced by us, with costUSD kept as claudeCostUsd', () => {
    const acc = new CallUsageAccumulator(prices);
    acc.recordMessage('m1', 'claude-sonnet-4-5', snapshot);
    acc.recordResult({
      'claude-sonnet-4-5': { inputTokens: 100, outputTokens: 40, cacheCreationInputTokens: 50, cacheReadInputTokens: 10, costUSD: 0.123 },
      'claude-haiku-4-5': { inputTokens: 7, outputTokens: 8, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUSD: 0.001 },
    });
    const settled = acc.settle();
    expect(settled.source).toBe('result');
    // 100 × $3 + 40 × $15 + 50 × $3.75 + 10 × $0.30 = 1,090.5 per million
    expect(settled.usage['claude-sonnet-4-5']).toEqual({
      inputTokens: 100,
      outputTokens: 40,
      cacheCreationInputTokens: 50,
      cacheReadInputTokens: 10,
      cacheCreation5mInputTokens: 50,
      cacheCreation1hInputTokens: 0,
      costUsd: 0.0010905,
      claudeCostUsd: 0.123,
      priceSource: databaseLabel(),
    });
    // 7 × $1 + 8 × $5 = 47 per million
    expect(settled.usage['claude-haiku-4-5']?.costUsd).toBe(0.000047);
    expect(settled.usage['claude-haiku-4-5']?.claudeCostUsd).toBe(0.001);
  });

  it("takes a result's 1-hour cache writes from the stream's snapshots of the same model", () => {
    const acc = new CallUsageAccumulator(prices);
    acc.recordMessage('m1', 'claude-sonnet-4-5', {
      input_tokens: 10,
      output_tokens: 1,
      cache_creation_input_tokens: 3_000,
      cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 2_000 },
    });
    acc.recordResult({
      'claude-sonnet-4-5': { inputTokens: 10, outputTokens: 20, cacheCreationInputTokens: 5_000, cacheReadInputTokens: 0 },
    });
    const usage = acc.settle().usage['claude-sonnet-4-5'];
    expect(usage).toMatchObject({ cacheCreationInputTokens: 5_000, cacheCreation1hInputTokens: 2_000, cacheCreation5mInputTokens: 3_000 });
    // 10 × $3 + 20 × $15 + 3,000 × $3.75 + 2,000 × $6 = 23,580 per million
    expect(usage?.costUsd).toBe(0.02358);
    expect(usage).not.toHaveProperty('claudeCostUsd');
  });

  it('ignores an all-zero modelUsage (crash) and falls back to the transcript, then the estimate', () => {
    const acc = new CallUsageAccumulator(prices);
    acc.recordMessage('m1', 'claude-sonnet-4-5', snapshot);
    acc.recordResult({
      'claude-sonnet-4-5': { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUSD: 0 },
    });
    const counts = {
      inputTokens: 100,
      outputTokens: 46,
      cacheCreationInputTokens: 50,
      cacheReadInputTokens: 10,
      cacheCreation5mInputTokens: 50,
      cacheCreation1hInputTokens: 0,
    };
    const fromTranscript = acc.settle([{ id: 'm1', model: 'claude-sonnet-4-5', counts }]);
    // 100 × $3 + 46 × $15 + 50 × $3.75 + 10 × $0.30 = 1,180.5 per million
    expect(fromTranscript).toEqual({
      usage: { 'claude-sonnet-4-5': { ...counts, costUsd: 0.0011805, priceSource: databaseLabel() } },
      source: 'transcript',
    });
    const estimate = acc.settle(undefined);
    expect(estimate.source).toBe('estimate');
    expect(estimate.usage['claude-sonnet-4-5']?.outputTokens).toBe(1);
    // 100 × $3 + 1 × $15 + 50 × $3.75 + 10 × $0.30 = 505.5 per million
    expect(estimate.usage['claude-sonnet-4-5']?.costUsd).toBe(0.0005055);
  });

  it('says "none" with no usage when a call billed nothing: failed before any request, or killed before any response', () => {
    const failed = new CallUsageAccumulator(prices);
    failed.recordResult({});
    expect(failed.settle()).toEqual({ usage: {}, source: 'none' });
    expect(new CallUsageAccumulator(prices).settle(undefined)).toEqual({ usage: {}, source: 'none' });
    expect(new CallUsageAccumulator(prices).settle([])).toEqual({ usage: {}, source: 'none' });
  });

  it('gives a model with no price a null cost, and counts it all the same', () => {
    const acc = new CallUsageAccumulator(prices);
    acc.recordResult({
      'claude-sonnet-9': { inputTokens: 100_000, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    });
    expect(acc.settle()).toEqual({
      usage: { 'claude-sonnet-9': expect.objectContaining({ inputTokens: 100_000, costUsd: null, priceSource: null }) },
      source: 'result',
    });
  });
});
