import { formatCount } from '../../report/format-usage.js';
import type { ModelComparison } from './document.js';

const LABELS = {
  inputTokens: 'input',
  outputTokens: 'output',
  cacheCreationInputTokens: 'cache write',
  cacheReadInputTokens: 'cache read',
} as const;

const signed = (n: number): string => (n > 0 ? `+${formatCount(n)}` : n < 0 ? `-${formatCount(-n)}` : '0');

/** Rows of model · count · recorded · billed · difference; the cache write says its 5m/1h split as billed. */
export function comparisonRows(models: ModelComparison[]): string[][] {
  return models.flatMap((row) =>
    (Object.keys(LABELS) as Array<keyof typeof LABELS>).map((field) => {
      const split =
        field === 'cacheCreationInputTokens' && row.billed.cacheCreation1hInputTokens > 0
          ? ` (5m ${formatCount(row.billed.cacheCreation5mInputTokens)} + 1h ${formatCount(row.billed.cacheCreation1hInputTokens)})`
          : '';
      return [
        row.model,
        LABELS[field],
        formatCount(row.recorded[field]),
        `${formatCount(row.billed[field])}${split}`,
        signed(row.difference[field]),
      ];
    }),
  );
}

export const COMPARISON_HEADERS = ['model', 'count', 'recorded', 'billed', 'difference'];
