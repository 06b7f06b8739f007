import { configPathFor, loadConfig } from '../config/load.js';
import { loadStates } from '../report/load-states.js';
import { formatStatus } from '../report/status-text.js';

export async function statusCommand(target: string | undefined, options: { config?: string }): Promise<number> {
  const config = await loadConfig(configPathFor(options.config, process.cwd()));
  process.stdout.write(formatStatus(await loadStates(config, target)));
  return 0;
}
