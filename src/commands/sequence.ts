import { describeStop } from '../pipeline/budget/decide.js';
import { folderSpentUsd } from '../pipeline/budget/spent.js';
import { runSequence } from '../pipeline/sequence.js';
import { sequenceRunSummary } from '../report/run-summary.js';
import { usageTable } from '../report/usage-table.js';
import { prepareRun, type CommonOptions } from './context.js';
import { writeRunEnd } from './end-output.js';

export async function sequenceCommand(
  dir: string,
  options: CommonOptions & { restart: boolean; keepGoing: boolean; json?: boolean },
): Promise<number> {
  const { ctx, stopProgress } = await prepareRun(options, 'sequence');
  const end = await runSequence(ctx, dir, options).finally(stopProgress);
  const { stats } = end.state;
  const stop = end.state.phase === 'budget-exceeded' ? end.state.budget?.stop : undefined;
  const human =
    `sequence ${end.state.tasksDir}: ${end.state.phase} · ${stats.tasksCompleted}/${stats.tasksTotal} done, ` +
    `${stats.tasksFailed} failed · state ${end.stateFile}\n${stop ? `${describeStop(stop)}\n` : ''}${usageTable(stats.totalTokenUsage)}\n`;
  writeRunEnd(options, human, sequenceRunSummary(end, await folderSpentUsd(ctx.config.statePath)));
  return end.exitCode;
}
