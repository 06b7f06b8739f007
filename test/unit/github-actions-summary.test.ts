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
    spend: undefined,
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
        'cost-per-passed-task-usd=0.375',
        '',
      ].join('\n'),
    );
  });

  it('cost-per-passed-task-usd is empty when no task is done, or when a cost is unknown', () => {
    expect(stepOutputs(report({ tasksDone: 0 }))).toContainEqual(['cost-per-passed-task-usd', '']);
    const unpriced = report({ usage: { 'claude-sonnet-4-5': usage(1, 1, 0.1), 'mystery-model': usage(5, 5, null) } });
    expect(stepOutputs(unpriced)).toContainEqual(['cost-per-passed-task-usd', '']);
    expect(stepOutputs(report({ tasksDone: 3 }))).toContainEqual(['cost-per-passed-task-usd', '0.25']);
  });
});

describe('the useful-vs-waste section', () => {
  const spend = {
    useful: { 'claude-sonnet-4-5': usage(600, 6, 0.15), 'claude-haiku-4-5': usage(2_000, 20, 0.5) },
    waste: { 'claude-sonnet-4-5': usage(400, 4, 0.1) },
    reasons: [
      { reason: 'check-failed' as const, attempts: 2, costUsd: 0.06 },
      { reason: 'timeout' as const, attempts: 1, costUsd: 0.04 },
      { reason: 'error' as const, attempts: 0, costUsd: 0 },
    ],
  };

  it('splits tokens and cost per model into useful and waste, names the reasons, gives the cost per passed task', () => {
    const markdown = stepSummaryMarkdown(report({ spend }));
    const section = markdown.slice(markdown.indexOf('#### Useful vs waste'));
    expect(tableRows(section)).toEqual([
      '| model | useful tokens | useful cost | waste tokens | waste cost |',
      '| --- | ---: | ---: | ---: | ---: |',
      '| claude-haiku-4-5 | 2,020 | $0.5000 | 0 | $0.0000 |',
      '| claude-sonnet-4-5 | 606 | $0.1500 | 404 | $0.1000 |',
      '| **total** | **2,626** | **$0.6500** | **404** | **$0.1000** |',
    ]);
    expect(section).toContain('Waste: 2 failed checks $0.0600, 1 timeout $0.0400. Cost per passed task: $0.3750 (2 done).');
  });

  it('without reasons (a sequence), or from an older state, says what it can', () => {
    const { reasons: _none, ...noReasons } = spend;
    expect(stepSummaryMarkdown(report({ spend: noReasons }))).toMatch(
      /\| \*\*\$0\.1000\*\* \|\n\nCost per passed task: \$0\.3750 \(2 done\)\./,
    );
    expect(stepSummaryMarkdown(report({ tasksDone: 0 }))).toContain(
      'Cost per passed task: none yet (no task done). Useful vs waste: not recorded in this state (written by an older version).',
    );
  });
});
