import { runSequence } from '../pipeline/sequence.js';
import { shardLabel, type Shard } from '../pipeline/shard.js';
import { sequenceRunSummary } from '../report/run-summary.js';
import { usageTable } from '../report/usage-table.js';
import { prepareRun, type CommonOptions } from './context.js';
import { writeRunEnd } from './end-output.js';

export async function sequenceCommand(
  dir: string,
  options: CommonOptions & { restart: boolean; keepGoing: boolean; json?: boolean; shard?: Shard | null },
): Promise<number> {
  const { ctx, stopProgress } = await prepareRun(options);
  const end = await runSequence(ctx, dir, options).finally(stopProgress);
  const { stats } = end.state;
  const human =
    `sequence ${end.state.tasksDir}${end.state.shard ? ` (shard ${shardLabel(end.state.shard)})` : ''}: ${end.state.phase} · ${stats.tasksCompleted}/${stats.tasksTotal} done, ` +
    `${stats.tasksFailed} failed · state ${end.stateFile}\n${usageTable(stats.totalTokenUsage)}\n`;
  writeRunEnd(options, human, sequenceRunSummary(end));
  return end.exitCode;
}
