import { shardLabel } from '../pipeline/shard.js';
import { usageTextTable } from '../report/usage-table.js';
import { acquireRunLock } from '../state/run-lock.js';
import { mergeStateFolders, stateFolder } from '../state/merge-folders.js';
import { missingFolders, removeMadeFolders } from '../state/write-output.js';
import { sequenceStateFile } from '../state/paths.js';
import { reportToGithubActions } from './github-actions-files.js';
import { ciSpendOfSequence } from '../report/github-actions.js';
import { UserError } from '../errors/user-error.js';

/** `merge <stateDir>... --into <stateDir>`: one state folder (and logs folder) from the shards'. */
export async function mergeCommand(sources: string[], options: { into: string }): Promise<number> {
  const target = stateFolder(options.into);
  const itself = sources.find((source) => stateFolder(source).statePath === target.statePath);
  if (itself !== undefined) {
    throw new UserError(
      `${itself}: is the folder merged into (--into ${options.into}); a folder is not merged into itself. Nothing has been changed.`,
    );
  }
  const made = await missingFolders([target.statePath, target.logsPath]);
  const release = await acquireRunLock(sequenceStateFile(target.statePath), `A merge or sequence (state ${target.statePath})`);
  let finished = false;
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
      spend: ciSpendOfSequence(stats),
    });
    finished = true;
    return 0;
  } finally {
    await release();
    // A merge that fails leaves no folder it made behind (taking the lock made the state folder).
    // Not when the lock was refused: then the folder is another merge's.
    if (!finished) await removeMadeFolders(made);
  }
}
