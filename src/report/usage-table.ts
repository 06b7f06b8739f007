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

/** Per-model rows and a total row, as a text table. */
export function summaryTable(summary: UsageSummary, indent = ''): string {
  return tableText(usageCellTable(summary), indent);
}

/** Per-model usage as a text table with a total row. */
export function usageTextTable(usage: ModelTokenUsage, indent = ''): string {
  return summaryTable(summarizeUsage(usage), indent);
}
