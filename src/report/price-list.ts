import type { z } from 'zod';
import { canonicalModel } from '../usage/model-name.js';
import type { PriceTable, Rates } from '../usage/pricing.js';
import type { PriceListSchema } from './output-schemas.js';

export type PriceList = z.infer<typeof PriceListSchema>;
type PriceRow = PriceList['models'][number];

const rates = (r: Rates) => ({
  input: r.input,
  output: r.output,
  cacheWrite5m: r.cacheWrite5m,
  cacheWrite1h: r.cacheWrite1h,
  cacheRead: r.cacheRead,
});

/** The price of each model as a run would find it, with who gave it; null rates for a model nobody prices. */
export function priceList(prices: PriceTable, models: string[], database: string): PriceList {
  const rows = models.map((model): PriceRow => {
    const found = prices.lookup(model);
    const long = found?.price.longContext;
    return {
      model,
      canonical: canonicalModel(model),
      source: found?.source ?? null,
      rates: found ? rates(found.price) : null,
      longContext: long ? { thresholdTokens: long.thresholdTokens, ...rates(long) } : null,
    };
  });
  return { database, models: rows };
}

/** `$0.30`, `$22.50`; a rate finer than a cent as it is (`$0.025`). */
const usd = (value: number): string => `$${Number.isInteger(Math.round(value * 1e6) / 1e4) ? value.toFixed(2) : String(value)}`;
const COUNT = new Intl.NumberFormat('en-US');

/** One table: a row per model, USD per million tokens. */
export function priceListText(list: PriceList): string {
  const head = ['model', 'input', 'output', '5m write', '1h write', 'read', 'long context', 'source'];
  const body = list.models.map((row) =>
    row.rates
      ? [
          row.model,
          usd(row.rates.input),
          usd(row.rates.output),
          usd(row.rates.cacheWrite5m),
          usd(row.rates.cacheWrite1h),
          usd(row.rates.cacheRead),
          row.longContext
            ? `over ${COUNT.format(row.longContext.thresholdTokens)} in: ${usd(row.longContext.input)}/${usd(row.longContext.output)}`
            : '-',
          row.source ?? '',
        ]
      : [row.model, 'no price', '', '', '', '', '', "claude-code's own cost, if it gives one"],
  );
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((cells) => cells[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 || i >= 6 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const unpriced = list.models.filter((row) => !row.rates).map((row) => row.canonical);
  const hint =
    unpriced.length > 0 ? `\n${unpriced.length} model(s) without a price: add them under \`pricing:\` in claude-project.yaml.\n` : '';
  return `USD per million tokens; prices from the config's pricing:, then ${list.database}\n${[head, ...body].map(line).join('\n')}\n${hint}`;
}
