import { EXIT } from '../errors/user-error.js';
import { describeStop } from '../pipeline/budget/decide.js';
import { folderSpentUsd } from '../state/load-states.js';
import { runSequence } from '../pipeline/sequence.js';
import { shardLabel, type Shard } from '../pipeline/shard.js';
import { sequenceRunSummary } from '../report/run-summary.js';
import { usageTextTable } from '../report/usage-table.js';
import { prepareRun, type CommonOptions } from './prepare-run.js';
import { writeRunEnd } from './end-output.js';
import { reportToGithubActions } from './github-actions-files.js';
import { ciSpendOfSequence } from '../report/github-actions.js';

export async function sequenceCommand(
  dir: string,
  options: CommonOptions & { restart: boolean; keepGoing: boolean; json?: boolean; shard?: Shard },
): Promise<number> {
  const shard = options.shard ?? null;
  const { ctx, stopProgress, closeTelemetry } = await prepareRun(options, 'sequence', shard ? shardLabel(shard) : undefined);
  const end = await runSequence(ctx, dir, { ...options, shard }).finally(async () => {
    stopProgress();
    await closeTelemetry();
  });
  if (end.error !== undefined) process.stderr.write(`claude-project: ${end.error}\n`);
  const { stats } = end.state;
  const stop = end.state.phase === 'budget-exceeded' ? end.state.budget?.stop : undefined;
  const title = `sequence ${end.state.tasksDir}${end.state.shard ? ` (shard ${shardLabel(end.state.shard)})` : ''}`;
  const human =
    `${title}: ${end.state.phase} · ${stats.tasksCompleted}/${stats.tasksTotal} done, ` +
    `${stats.tasksFailed} failed · state ${end.stateFile}\n${stop ? `${describeStop(stop)}\n` : ''}${usageTextTable(stats.totalTokenUsage)}\n`;
  writeRunEnd(options, human, sequenceRunSummary(end, await folderSpentUsd(ctx.config.statePath)));
  await reportToGithubActions({
    title,
    phase: end.state.phase,
    tasksDone: stats.tasksCompleted,
    tasksFailed: stats.tasksFailed,
    tasksTotal: stats.tasksTotal,
    stateFile: end.stateFile,
    usage: stats.totalTokenUsage,
    billing: end.state.billing,
    spend: ciSpendOfSequence(stats),
  });
  for (const crash of end.crashes) process.stderr.write(`claude-project: ${crash}\n`);
  // interrupted after the last task ended (while the last metrics were sent): still an interrupt
  return ctx.signal.aborted && end.exitCode === EXIT.ok ? EXIT.interrupted : end.exitCode;
}
