import { formatCost, formatCount } from '../format/format-usage.js';
import { formatDuration } from '../format/format-duration.js';
import type { StepData } from './status-data.js';
import type { UsageCounts, UsageSummary } from './usage-summary.js';

/**
 * The cells of the status tables, shared by the text and the HTML report so both show the same
 * thing. Each table says which of its columns hold text (left-aligned); the rest are numbers.
 */
export interface CellTable {
  headers: string[];
  rows: string[][];
  textColumns: number[];
}

export const USAGE_HEADERS = ['input', 'output', 'cache write', 'cache read', 'cost'];

export function usageCells(usage: UsageCounts): string[] {
  return [
    formatCount(usage.inputTokens),
    formatCount(usage.outputTokens),
    formatCount(usage.cacheCreationInputTokens),
    formatCount(usage.cacheReadInputTokens),
    formatCost(usage.costUsd),
  ];
}

/** A step's rows: one per model billed (the step's cells on the first only), or one empty row. */
function stepRows(step: StepData): string[][] {
  const info = [
    step.name,
    step.status,
    String(step.attempts.length),
    step.usageSource,
    step.durationMs !== null ? formatDuration(step.durationMs) : '-',
  ];
  const blank = info.map(() => '');
  const waste = step.spend.waste.attempts === 0 ? '-' : formatCost(step.spend.waste.total.costUsd);
  if (step.models.length === 0) return [[...info, step.model, ...usageCells(step.total), waste]];
  return step.models.map((row, index) => [...(index === 0 ? info : blank), row.model, ...usageCells(row), index === 0 ? waste : '']);
}

export function stepsTable(steps: StepData[]): CellTable {
  return {
    headers: ['step', 'status', 'attempts', 'source', 'duration', 'model', ...USAGE_HEADERS, 'waste'],
    rows: steps.flatMap(stepRows),
    textColumns: [0, 1, 3, 5],
  };
}

/** Per-model rows and the total row. */
export function usageCellTable(summary: UsageSummary): CellTable {
  return {
    headers: ['model', ...USAGE_HEADERS],
    rows: [...summary.models.map((row) => [row.model, ...usageCells(row)]), ['total', ...usageCells(summary.total)]],
    textColumns: [0],
  };
}

/** Forecast vs actual per step, for the steps that had a forecast from earlier attempts. */
export function forecastTable(steps: StepData[]): CellTable | undefined {
  const forecast = steps.filter((step) => step.forecast?.usd !== null && step.forecast?.usd !== undefined);
  if (forecast.length === 0) return undefined;
  return {
    headers: ['step', 'forecast', 'max', 'samples', 'actual', 'source', 'error'],
    rows: forecast.map((step) => {
      const f = step.forecast!;
      const ran = step.attempts.length > 0;
      const actual = step.total.costUsd;
      const error = ran && actual !== null && f.usd! > 0 ? `${(((actual - f.usd!) / f.usd!) * 100).toFixed(0)}%` : '-';
      return [
        step.name,
        formatCost(f.usd!),
        formatCost(f.maxUsd!),
        String(f.samples),
        ran ? formatCost(actual) : '-',
        step.provenance,
        error,
      ];
    }),
    textColumns: [0, 5],
  };
}
