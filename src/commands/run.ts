import { folderSpentUsd } from '../state/load-states.js';
import { runTask } from '../pipeline/task.js';
import { EXIT } from '../errors/user-error.js';
import { taskRunSummary } from '../report/run-summary.js';
import { usageTextTable } from '../report/usage-table.js';
import { prepareRun, type CommonOptions } from './prepare-run.js';
import { writeRunEnd } from './end-output.js';
import { reportToGithubActions } from './github-actions-files.js';
import { ciSpendOfTask } from '../report/github-actions.js';

export async function runCommand(taskPath: string, options: CommonOptions & { restart: boolean; json?: boolean }): Promise<number> {
  const { ctx, stopProgress, closeTelemetry } = await prepareRun(options, 'run');
  const end = await runTask(ctx, taskPath, { restart: options.restart }).finally(async () => {
    stopProgress();
    await closeTelemetry();
  });
  const budget = end.phase === 'budget-exceeded' && end.state.error ? `${end.state.error}\n` : '';
  const human = `${end.state.taskName}: ${end.phase} · state ${end.stateFile}\n${budget}${usageTextTable(end.state.tokenUsage)}\n`;
  writeRunEnd(options, human, taskRunSummary(end, await folderSpentUsd(ctx.config.statePath)));
  if (end.exitCode === EXIT.badInput && end.state.error) process.stderr.write(`claude-project: ${end.state.error}\n`);
  await reportToGithubActions({
    title: `run ${end.state.taskPath}`,
    phase: end.phase,
    tasksDone: end.phase === 'done' ? 1 : 0,
    tasksFailed: end.phase === 'failed' ? 1 : 0,
    tasksTotal: 1,
    stateFile: end.stateFile,
    usage: end.state.tokenUsage,
    billing: end.state.billing,
    spend: ciSpendOfTask(end.state),
  });
  if (end.crashLog) process.stderr.write(`claude-project: ${end.state.error ?? 'unexpected error'}; details in ${end.crashLog}\n`);
  // interrupted after the task ended (while its last metrics were sent): still an interrupt
  return ctx.signal.aborted && end.exitCode === EXIT.ok ? EXIT.interrupted : end.exitCode;
}
