import { configPathFor, loadConfig } from '../config/load.js';
import { loadStates } from '../state/load-states.js';
import { buildStatusData } from '../report/status-data.js';
import { formatStatus } from '../report/status-text.js';

/** `status`: tables per task, step and model; `--json`: the same data (schema/status.schema.json). */
export async function statusCommand(target: string | undefined, options: { config?: string; json?: boolean }): Promise<number> {
  const config = await loadConfig(configPathFor(options.config, process.cwd()));
  const data = buildStatusData(await loadStates(config, target));
  process.stdout.write(options.json ? `${JSON.stringify(data, null, 2)}\n` : formatStatus(data));
  return 0;
}
