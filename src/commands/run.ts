import { runTask } from '../pipeline/task.js';
import { jsonLine, taskRunSummary } from '../report/run-summary.js';
import { usageTable } from '../report/usage-table.js';
import { prepareRun, type CommonOptions } from './context.js';

export async function runCommand(taskPath: string, options: CommonOptions & { restart: boolean; json?: boolean }): Promise<number> {
  const { ctx, stopProgress } = await prepareRun(options);
  const end = await runTask(ctx, taskPath, { restart: options.restart }).finally(stopProgress);
  process.stdout.write(
    options.json
      ? jsonLine(taskRunSummary(end))
      : `${end.state.taskName}: ${end.phase} · state ${end.stateFile}\n${usageTable(end.state.tokenUsage)}\n`,
  );
  return end.exitCode;
}
