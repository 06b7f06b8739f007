import { existsSync } from 'node:fs';
import { configPathFor, loadConfig } from '../config/load.js';
import { priceList, priceListText } from '../report/price-list.js';
import { databaseLabel, databaseModels } from '../usage/price-database.js';
import { PriceTable } from '../usage/pricing.js';

/**
 * `prices [model…]`: the rates a run would use for each model and who gave them; without
 * models, every model the config's `pricing:` and the price database know. The config is read
 * when there is one (or `--config` names it): its `pricing:` entries come first.
 */
export async function pricesCommand(models: string[], options: { config?: string; json?: boolean }): Promise<number> {
  const file = configPathFor(options.config, process.cwd());
  const config = options.config !== undefined || existsSync(file) ? await loadConfig(file) : undefined;
  const prices = PriceTable.withOverrides(config?.pricing);
  // by default, the models a run could meet: a retired id that names no model any more is left out
  const known = [...new Set([...prices.configured(), ...databaseModels()])].filter((model) => prices.lookup(model));
  const shown = models.length > 0 ? models : known;
  const list = priceList(prices, shown, databaseLabel());
  process.stdout.write(options.json ? `${JSON.stringify(list, null, 2)}\n` : priceListText(list));
  return 0;
}
