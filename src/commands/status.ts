import { once } from 'node:events';
import { configPathFor, loadConfig } from '../config/load.js';
import { loadStates } from '../report/load-states.js';
import { buildStatusData } from '../report/status-data.js';
import { writeStatusText } from '../report/status-stream.js';

/** `status`: tables per task, step and model; `--json`: the same data (schema/status.schema.json). */
export async function statusCommand(target: string | undefined, options: { config?: string; json?: boolean }): Promise<number> {
  const config = await loadConfig(configPathFor(options.config, process.cwd()));
  if (options.json) {
    const data = buildStatusData(await loadStates(config, target));
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return 0;
  }
  await writeStatusText(config, target, async (text) => {
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  });
  return 0;
}
