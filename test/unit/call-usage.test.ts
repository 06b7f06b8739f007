import { CallUsageAccumulator } from '../../src/usage/call-usage.js';
import { priceUsage } from '../../src/usage/pricing.js';

const snapshot = { input_tokens: 100, output_tokens: 1, cache_creation_input_tokens: 50, cache_read_input_tokens: 10 };

describe('CallUsageAccumulator', () => {
  it('keeps one snapshot per message id: repeats replace, never add', () => {
    const acc = new CallUsageAccumulator();
    acc.recordMessage('m1', 'claude-sonnet-4-5', snapshot);
    acc.recordMessage('m1', 'claude-sonnet-4-5', snapshot);
    acc.recordMessage('m1', 'claude-sonnet-4-5', { ...snapshot, output_tokens: 7 });
    acc.recordMessage('m2', 'claude-sonnet-4-5', { input_tokens: 5, output_tokens: 2 });
    const usage = acc.estimate()['claude-sonnet-4-5'];
    expect(usage).toMatchObject({ inputTokens: 105, outputTokens: 9, cacheCreationInputTokens: 50, cacheReadInputTokens: 10 });
  });

  it('keeps models apart and gives <synthetic> messages no row', () => {
    const acc = new CallUsageAccumulator();
    acc.recordMessage('m1', 'claude-sonnet-4-5', snapshot);
    acc.recordMessage('m2', 'claude-haiku-4-5', { input_tokens: 3, output_tokens: 4 });
    acc.recordMessage('m3', '<synthetic>', { input_tokens: 0, output_tokens: 0 });
    expect(Object.keys(acc.estimate()).sort()).toEqual(['claude-haiku-4-5', 'claude-sonnet-4-5']);
  });

  it('replaces the estimate with result.modelUsage, taking costUSD as billed', () => {
    const acc = new CallUsageAccumulator();
    acc.recordMessage('m1', 'claude-sonnet-4-5', snapshot);
    acc.recordResult({
      'claude-sonnet-4-5': { inputTokens: 100, outputTokens: 40, cacheCreationInputTokens: 50, cacheReadInputTokens: 10, costUSD: 0.123 },
      'claude-haiku-4-5': { inputTokens: 7, outputTokens: 8, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUSD: 0.001 },
    });
    const settled = acc.settle();
    expect(settled.source).toBe('result');
    expect(settled.usage['claude-sonnet-4-5']).toEqual({ inputTokens: 100, outputTokens: 40, cacheCreationInputTokens: 50, cacheReadInputTokens: 10, costUsd: 0.123 });
    expect(settled.usage['claude-haiku-4-5']?.costUsd).toBe(0.001);
  });

  it('prices a model from the table when costUSD is absent', () => {
    const acc = new CallUsageAccumulator();
    acc.recordResult({ 'claude-opus-4-1': { inputTokens: 1_000_000, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 } });
    expect(acc.settle().usage['claude-opus-4-1']?.costUsd).toBe(15);
  });

  it('ignores an all-zero modelUsage (crash) and falls back to the transcript, then the estimate', () => {
    const acc = new CallUsageAccumulator();
    acc.recordMessage('m1', 'claude-sonnet-4-5', snapshot);
    acc.recordResult({ 'claude-sonnet-4-5': { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUSD: 0 } });
    const transcript = { 'claude-sonnet-4-5': { inputTokens: 100, outputTokens: 46, cacheCreationInputTokens: 50, cacheReadInputTokens: 10, costUsd: 0.5 } };
    expect(acc.settle(transcript)).toEqual({ usage: transcript, source: 'transcript' });
    const estimate = acc.settle(undefined);
    expect(estimate.source).toBe('estimate');
    expect(estimate.usage['claude-sonnet-4-5']?.outputTokens).toBe(1);
    expect(estimate.usage['claude-sonnet-4-5']?.costUsd).toBe(
      priceUsage('claude-sonnet-4-5', { inputTokens: 100, outputTokens: 1, cacheCreationInputTokens: 50, cacheReadInputTokens: 10 }),
    );
  });

  it('says "result" with no usage when a run failed before any request', () => {
    const acc = new CallUsageAccumulator();
    acc.recordResult({});
    expect(acc.settle()).toEqual({ usage: {}, source: 'result' });
  });
});
