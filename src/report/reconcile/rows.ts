import { formatCount } from '../../format/format-usage.js';
import type { ModelComparison } from './document.js';

const signed = (n: number): string => (n > 0 ? `+${formatCount(n)}` : n < 0 ? `-${formatCount(-n)}` : '0');

/**
 * Rows of model · count · recorded · billed · difference, the cache write split by
 * time-to-live; web search requests only when some were billed (they are not recorded). A
 * model the sources named otherwise says so: `claude-sonnet-4-5 (seen as …)`.
 */
export function comparisonRows(models: ModelComparison[]): string[][] {
  return models.flatMap((row) => {
    const others = row.seenAs.filter((name) => name !== row.model);
    const label = others.length > 0 ? `${row.model} (seen as ${others.join(', ')})` : row.model;
    return row.counts
      .filter((c) => c.count !== 'web search requests' || c.billed > 0)
      .map((c) => [
        label,
        c.count,
        c.recorded === null ? 'not recorded' : formatCount(c.recorded),
        formatCount(c.billed),
        c.difference === null ? '' : signed(c.difference),
      ]);
  });
}

export const COMPARISON_HEADERS = ['model', 'count', 'recorded', 'billed', 'difference'];
