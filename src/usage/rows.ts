import { totalOf } from './math.js';
import type { ModelTokenUsage, TokenUsage } from './types.js';

export interface UsageRow {
  /** A model id, or "total". */
  label: string;
  isTotal: boolean;
  usage: TokenUsage;
}

/**
 * The one place that turns per-model usage into rows: models by cost (unknown costs first, then
 * highest first, then name), then a total row. Footers, status tables, JSON and HTML all read these rows.
 */
export function usageRows(usage: ModelTokenUsage): UsageRow[] {
  const models = Object.entries(usage)
    .sort(([a, ua], [b, ub]) => costRank(ub.costUsd) - costRank(ua.costUsd) || a.localeCompare(b))
    .map(([label, u]) => ({ label, isTotal: false, usage: u }));
  return [...models, { label: 'total', isTotal: true, usage: totalOf(usage) }];
}

const costRank = (cost: number | null): number => cost ?? Number.POSITIVE_INFINITY;
