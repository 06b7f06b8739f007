import { unpricedWarningFor } from '../format/format-usage.js';
import type { ModelTokenUsage } from '../usage/types.js';
import { usageCellTable, type CellTable } from './table-cells.js';
import { summarizeUsage, type UsageSummary } from './usage-summary.js';

/** Rows of text with aligned columns: the columns in `leftAligned` (default: the first) left, the rest right. */
export function alignColumns(rows: string[][], indent = '', leftAligned: number[] = [0]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const pad = (cell: string, column: number): string =>
    leftAligned.includes(column) ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0);
  return rows.map((row) => indent + row.map(pad).join('  ').trimEnd()).join('\n');
}

/** A table of cells as aligned text, headers first. */
export function tableText(table: CellTable, indent = ''): string {
  return alignColumns([table.headers, ...table.rows], indent, table.textColumns);
}

/** The warning for models whose cost is unknown (no price), naming them; undefined when every model is priced. */
export function unpricedSummaryWarning(summary: UsageSummary): string | undefined {
  const models = summary.models.filter((row) => row.costUsd === null).map((row) => row.model);
  return models.length === 0 ? undefined : unpricedWarningFor(models);
}

/** Per-model rows and a total row, as a text table (and the warning for unpriced models under it). */
export function summaryTable(summary: UsageSummary, indent = ''): string {
  const warning = unpricedSummaryWarning(summary);
  return tableText(usageCellTable(summary), indent) + (warning ? `\n${indent}${warning}` : '');
}

/** Per-model usage as a text table with a total row. */
export function usageTextTable(usage: ModelTokenUsage, indent = ''): string {
  return summaryTable(summarizeUsage(usage), indent);
}
