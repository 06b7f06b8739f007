import { stepOutputs, stepOutputsText, stepSummaryMarkdown, type CiRunReport } from '../../src/report/github-actions.js';
import type { BillingRecord } from '../../src/state/billing-record.js';
import type { TokenUsage } from '../../src/usage/types.js';

function usage(input: number, output: number, costUsd: number | null): TokenUsage {
  return {
    inputTokens: input,
    outputTokens: output,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    cacheCreation5mInputTokens: 0,
    cacheCreation1hInputTokens: 0,
    costUsd,
  };
}

const counts = (input: number, output: number) => ({
  inputTokens: input,
  outputTokens: output,
  cacheCreationInputTokens: 0,
  cacheCreation5mInputTokens: 0,
  cacheCreation1hInputTokens: 0,
  cacheReadInputTokens: 0,
});
const noDifference = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

function report(extra: Partial<CiRunReport> = {}): CiRunReport {
  return {
    title: 'sequence tasks',
    phase: 'done',
    tasksDone: 2,
    tasksFailed: 0,
    tasksTotal: 2,
    stateFile: '.claude-project/state/sequence.state.json',
    usage: { 'claude-sonnet-4-5': usage(1_000, 10, 0.25), 'claude-haiku-4-5': usage(2_000, 20, 0.5) },
    billing: undefined,
    ...extra,
  };
}

const tableRows = (markdown: string): string[] => markdown.split('\n').filter((line) => line.startsWith('| '));

describe('the GitHub Actions job summary', () => {
  it('is a Markdown table: models by cost, then the total in bold, numbers right-aligned', () => {
    expect(tableRows(stepSummaryMarkdown(report()))).toEqual([
      '| model | input | output | cache write | cache read | cost |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      '| claude-haiku-4-5 | 2,000 | 20 | 0 | 0 | $0.5000 |',
      '| claude-sonnet-4-5 | 1,000 | 10 | 0 | 0 | $0.2500 |',
      '| **total** | **3,000** | **30** | **0** | **0** | **$0.7500** |',
    ]);
  });

  it('ends with a blank line, so a later step appending to the same file starts a new block', () => {
    expect(stepSummaryMarkdown(report()).endsWith('\n\n')).toBe(true);
  });

  it('escapes a | in a model name, which would otherwise split the cell', () => {
    const markdown = stepSummaryMarkdown(report({ usage: { 'odd|model': usage(1, 1, 0.1) } }));
    expect(tableRows(markdown)[2]).toBe('| odd\\|model | 1 | 1 | 0 | 0 | $0.1000 |');
  });

  it('after a reconcile mismatch: a reconcile column saying which model differs', () => {
    const billing: BillingRecord = {
      status: 'mismatch',
      checkedAt: '2026-01-02T10:00:00.000Z',
      apiKeyId: 'apikey_1',
      window: { start: '2026-01-02T09:00:00Z', end: '2026-01-02T09:05:00Z' },
      billed: { 'claude-sonnet-4-5': counts(1_000, 10), 'claude-haiku-4-5': counts(2_100, 20) },
      difference: { 'claude-sonnet-4-5': noDifference, 'claude-haiku-4-5': { ...noDifference, inputTokens: 100 } },
      reads: 1,
    };
    const markdown = stepSummaryMarkdown(report({ billing }));
    expect(tableRows(markdown)).toEqual([
      '| model | input | output | cache write | cache read | cost | reconcile |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      '| claude-haiku-4-5 | 2,000 | 20 | 0 | 0 | $0.5000 | mismatch |',
      '| claude-sonnet-4-5 | 1,000 | 10 | 0 | 0 | $0.2500 | matches |',
      '| **total** | **3,000** | **30** | **0** | **0** | **$0.7500** | **mismatch** |',
    ]);
    expect(markdown).toContain('Reconciled with the Admin API: **mismatch** (checked 2026-01-02T10:00:00.000Z');
    expect(stepOutputs(report({ billing }))).toContainEqual(['reconcile', 'mismatch']);
  });

  it('names the models without a price, and leaves cost-usd empty when the total is unknown', () => {
    const unpriced = report({ usage: { 'claude-sonnet-4-5': usage(1, 1, 0.1), 'mystery-model': usage(5, 5, null) } });
    expect(stepSummaryMarkdown(unpriced)).toContain('warning: no price for mystery-model');
    expect(stepOutputs(unpriced)).toContainEqual(['cost-usd', '']);
  });
});

describe('the GitHub Actions step outputs', () => {
  it('are name=value lines, one per output, in the documented order', () => {
    expect(stepOutputsText(report())).toBe(
      [
        'cost-usd=0.75',
        'input-tokens=3000',
        'output-tokens=30',
        'cache-write-tokens=0',
        'cache-read-tokens=0',
        'tasks-done=2',
        'tasks-failed=0',
        'phase=done',
        'reconcile=',
        '',
      ].join('\n'),
    );
  });
});
