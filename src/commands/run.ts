import { folderSpentUsd } from '../state/load-states.js';
import { runTask } from '../pipeline/task.js';
import { EXIT } from '../errors/user-error.js';
import { taskRunSummary } from '../report/run-summary.js';
import { usageTextTable } from '../report/usage-table.js';
import { prepareRun, type CommonOptions } from './prepare-run.js';
import { writeRunEnd } from './end-output.js';

export async function runCommand(taskPath: string, options: CommonOptions & { restart: boolean; json?: boolean }): Promise<number> {
  const { ctx, stopProgress } = await prepareRun(options, 'run');
  const end = await runTask(ctx, taskPath, { restart: options.restart }).finally(stopProgress);
  const budget = end.phase === 'budget-exceeded' && end.state.error ? `${end.state.error}\n` : '';
  const human = `${end.state.taskName}: ${end.phase} · state ${end.stateFile}\n${budget}${usageTextTable(end.state.tokenUsage)}\n`;
  writeRunEnd(options, human, taskRunSummary(end, await folderSpentUsd(ctx.config.statePath)));
  if (end.exitCode === EXIT.badInput && end.state.error) process.stderr.write(`claude-project: ${end.state.error}\n`);
  if (end.crashLog) process.stderr.write(`claude-project: ${end.state.error ?? 'unexpected error'}; details in ${end.crashLog}\n`);
  return end.exitCode;
}
