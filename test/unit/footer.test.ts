import { formatFooter } from '../../src/format/footer.js';
import { sumModelUsage } from '../../src/usage/math.js';
import { usageRows } from '../../src/usage/rows.js';
import { formatCount } from '../../src/format/format-usage.js';

const split = { cacheCreation5mInputTokens: 0, cacheCreation1hInputTokens: 0 };
const opus = {
  inputTokens: 12340,
  outputTokens: 1205,
  cacheCreationInputTokens: 3000,
  cacheReadInputTokens: 45000,
  ...split,
  cacheCreation5mInputTokens: 3000,
  costUsd: 0.421,
};
const haiku = { inputTokens: 2100, outputTokens: 310, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, ...split, costUsd: 0.0037 };

describe('usage rows and footer', () => {
  it('prints the footer, models by cost then the total with its source', () => {
    const footer = formatFooter({ usage: { 'claude-haiku-4-5': haiku, 'claude-opus-4-1': opus }, source: 'result' });
    expect(footer).toBe(
      [
        '--- Token Usage ---',
        'claude-opus-4-1: input 12,340 · output 1,205 · cache write 3,000 · cache read 45,000 · $0.4210',
        'claude-haiku-4-5: input 2,100 · output 310 · cache write 0 · cache read 0 · $0.0037',
        'total: input 14,440 · output 1,515 · cache write 3,000 · cache read 45,000 · $0.4247 (source: result)',
        '',
      ].join('\n'),
    );
  });

  it('adds outcome and malformed-line lines when given', () => {
    const footer = formatFooter({ usage: {}, source: 'estimate', outcome: 'timeout', malformedLines: 3 });
    expect(footer).toContain('total: input 0 · output 0 · cache write 0 · cache read 0 · $0.0000 (source: estimate)');
    expect(footer).toContain('outcome: timeout');
    expect(footer).toContain('malformed lines: 3');
  });

  it('shows an unknown cost as "unknown", first, with a warning naming the model; the total is unknown too', () => {
    const unpriced = { ...haiku, costUsd: null };
    const footer = formatFooter({ usage: { 'claude-haiku-4-5': haiku, 'claude-sonnet-5': unpriced }, source: 'result' });
    expect(footer.split('\n')).toEqual([
      '--- Token Usage ---',
      'claude-sonnet-5: input 2,100 · output 310 · cache write 0 · cache read 0 · unknown',
      'claude-haiku-4-5: input 2,100 · output 310 · cache write 0 · cache read 0 · $0.0037',
      'total: input 4,200 · output 620 · cache write 0 · cache read 0 · unknown (source: result)',
      'warning: no price for claude-sonnet-5: cost unknown (add it under `pricing:` in claude-project.yaml)',
      '',
    ]);
  });

  it('sums per model without mixing models, and the total row equals the sum of the model rows', () => {
    const sum = sumModelUsage({ 'claude-opus-4-1': opus }, { 'claude-opus-4-1': opus, 'claude-haiku-4-5': haiku });
    expect(sum['claude-opus-4-1']?.inputTokens).toBe(2 * opus.inputTokens);
    expect(sum['claude-haiku-4-5']).toEqual(haiku);
    const rows = usageRows(sum);
    const total = rows.find((r) => r.isTotal)!.usage;
    expect(total.outputTokens).toBe(2 * opus.outputTokens + haiku.outputTokens);
    expect(total.costUsd).toBeCloseTo(2 * opus.costUsd + haiku.costUsd, 10);
  });

  it('formats counts with thousands separators exactly as en-US does', () => {
    const en = new Intl.NumberFormat('en-US');
    for (const value of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 123_456_789_012, -1, -1234, -1_234_567, 1234.5, 0.25]) {
      expect(formatCount(value)).toBe(en.format(value));
    }
  });
});
