import { shardLabel } from '../pipeline/shard.js';
import { usageTextTable } from '../report/usage-table.js';
import { acquireRunLock } from '../state/run-lock.js';
import { mergeStateFolders, stateFolder } from '../state/merge-folders.js';
import { sequenceStateFile } from '../state/paths.js';
import { reportToGithubActions } from './github-actions-files.js';

/** `merge <stateDir>... --into <stateDir>`: one state folder (and logs folder) from the shards'. */
export async function mergeCommand(sources: string[], options: { into: string }): Promise<number> {
  const target = stateFolder(options.into);
  const release = await acquireRunLock(sequenceStateFile(target.statePath), `A merge or sequence (state ${target.statePath})`);
  try {
    const result = await mergeStateFolders(sources.map(stateFolder), target);
    const { sequence } = result;
    const { stats } = sequence;
    const shards = (sequence.mergedShards ?? []).map((s) => shardLabel(s)).join(', ');
    process.stdout.write(
      `merged into ${target.statePath} (logs ${target.logsPath}): ${result.copied} task(s) copied, ` +
        `${result.alreadyThere} already there, ${result.duplicates} identical duplicate(s) taken once · shards ${shards || 'none'}\n` +
        `sequence ${sequence.tasksDir}: ${sequence.phase} · ${stats.tasksCompleted}/${stats.tasksTotal} done, ${stats.tasksFailed} failed · state ${result.sequenceFile}\n` +
        `${usageTextTable(stats.totalTokenUsage)}\n`,
    );
    if (result.missingShards.length > 0) {
      const count = sequence.mergedShards?.[0]?.count ?? 0;
      process.stderr.write(
        `claude-project: warning: shard(s) ${result.missingShards.map((i) => `${i}/${count}`).join(', ')} not merged yet: the totals cover only the shards above.\n`,
      );
    }
    for (const file of result.withoutLogs) {
      process.stderr.write(
        `claude-project: warning: ${file}: no logs found beside its state folder; recount will not find its raw logs.\n`,
      );
    }
    await reportToGithubActions({
      title: `merge of shard(s) ${shards || 'none'}`,
      phase: sequence.phase,
      tasksDone: stats.tasksCompleted,
      tasksFailed: stats.tasksFailed,
      tasksTotal: stats.tasksTotal,
      stateFile: result.sequenceFile,
      usage: stats.totalTokenUsage,
      billing: sequence.billing,
    });
    return 0;
  } finally {
    await release();
  }
}
