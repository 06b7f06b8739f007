import path from 'node:path';
import { configPathFor, loadConfig } from '../config/load.js';
import { redactSecrets } from '../errors/redact.js';
import { UserError } from '../errors/user-error.js';
import { asUserError } from '../errors/fs-error.js';
import { renderHtmlReport } from '../report/html/page.js';
import { loadStates } from '../state/load-states.js';
import { writeOutputFile } from '../state/write-output.js';
import { buildStatusData } from '../report/status-data.js';
import { formatCost } from '../format/format-usage.js';

/** `report --html FILE`: the status data as one self-contained HTML page. */
export async function reportCommand(target: string | undefined, options: { config?: string; html: string }): Promise<number> {
  const config = await loadConfig(configPathFor(options.config, process.cwd()));
  const data = buildStatusData(await loadStates(config, target));
  const file = path.resolve(options.html);
  const html = renderHtmlReport(data);
  try {
    await writeOutputFile(file, redactSecrets(html), config);
  } catch (error) {
    const explained = asUserError(error, { what: 'cannot write the report', path: options.html });
    throw explained instanceof UserError
      ? explained
      : new UserError(`${options.html}: cannot write the report: ${(error as Error).message}`);
  }
  process.stdout.write(
    `report: ${file} · ${data.totals.tasksRun}/${data.totals.tasks} task(s) run · ${formatCost(data.totals.total.costUsd)}\n`,
  );
  return 0;
}
