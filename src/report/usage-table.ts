import { formatCost, formatCount, usageRows } from '../usage/rows.js';
import type { ModelTokenUsage } from '../usage/types.js';

const HEADERS = ['model', 'input', 'output', 'cache write', 'cache read', 'cost'];

/** Rows of text with aligned columns: the columns in `leftAligned` (default: the first) left, the rest right. */
export function alignColumns(rows: string[][], indent = '', leftAligned: number[] = [0]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const pad = (cell: string, column: number): string =>
    leftAligned.includes(column) ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0);
  return rows.map((row) => indent + row.map(pad).join('  ').trimEnd()).join('\n');
}

/** Per-model usage as a text table with a total row. */
export function usageTable(usage: ModelTokenUsage, indent = ''): string {
  const rows = usageRows(usage).map((row) => [
    row.label,
    formatCount(row.usage.inputTokens),
    formatCount(row.usage.outputTokens),
    formatCount(row.usage.cacheCreationInputTokens),
    formatCount(row.usage.cacheReadInputTokens),
    formatCost(row.usage.costUsd),
  ]);
  return alignColumns([HEADERS, ...rows], indent);
}
