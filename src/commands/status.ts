import { once } from 'node:events';
import { configPathFor, loadConfig } from '../config/load.js';
import { buildStatusData } from '../report/status-data.js';
import { writeStatusText } from '../report/status-stream.js';
import { folderSpentUsd, loadStates } from '../state/load-states.js';

/** `status`: tables per task, step and model; `--json`: the same data (schema/status.schema.json). */
export async function statusCommand(target: string | undefined, options: { config?: string; json?: boolean }): Promise<number> {
  const config = await loadConfig(configPathFor(options.config, process.cwd()));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(buildStatusData(await loadStates(config, target)), null, 2)}\n`);
    return 0;
  }
  await writeStatusText(config, target, await folderSpentUsd(config.statePath), async (text) => {
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  });
  return 0;
}
