import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors/user-error.js';
import { writeJsonAtomic } from './atomic-json.js';
import { readStateFile } from './read-state.js';
import { copyFileAtomic, exists, filesUnder, sameContent } from './copy-files.js';
import { mergedSequenceState, missingShards, type SequenceInput } from './merge-sequence.js';
import { sequenceStateFile } from './paths.js';
import { newSequenceState, SequenceStateSchema, withTask, type SequenceState, type SequenceTaskEntry } from './sequence-state.js';
import { mapLimit } from './map-limit.js';
import { listTaskStateNames, siblingLogsPath, taskLogsDir } from './state-folder.js';
import { verifiedTaskState } from './verify-task-state.js';

export interface StateFolder {
  statePath: string;
  logsPath: string;
}

/** One task as merge found it first; later copies must be byte-identical. */
interface FoundTask {
  name: string;
  file: string;
  folder: StateFolder;
  hash: string;
  entry: SequenceTaskEntry;
  /** Already in the folder merged into. */
  inTarget: boolean;
}

/** Files read, compared or copied at once: enough to keep the disk busy, few enough to keep memory flat. */
const PARALLEL_FILES = 16;

export interface MergeResult {
  sequenceFile: string;
  sequence: SequenceState;
  copied: number;
  alreadyThere: number;
  /** The same task, byte-identical, in more than one folder: taken once. */
  duplicates: number;
  missingShards: number[];
  /** Task states whose logs folder was not found beside their state folder. */
  withoutLogs: string[];
}

/** A state folder with its logs where the default layout keeps them: `<state>/../logs`. */
export function stateFolder(statePath: string): StateFolder {
  return { statePath: path.resolve(statePath), logsPath: siblingLogsPath(statePath) };
}

/**
 * Gathers the task states (and their logs) of `sources` into `target`, then writes the target's
 * sequence state from all the task states it holds. Everything is read and checked before
 * anything is written: a conflict leaves the target as it was. What the target already holds
 * takes part like a source, so merging again changes nothing and shards can be added one by one.
 */
export async function mergeStateFolders(sources: StateFolder[], target: StateFolder): Promise<MergeResult> {
  const others = dedupe(sources).filter((s) => s.statePath !== target.statePath);
  for (const source of others) {
    const info = await stat(source.statePath).catch(() => undefined);
    if (!info?.isDirectory()) throw new UserError(`${source.statePath}: state folder not found.`);
  }
  const byTask = new Map<string, FoundTask>();
  const byName = new Map<string, FoundTask>();
  let duplicates = 0;
  for (const folder of [target, ...others]) {
    const read = await mapLimit(await listTaskStateNames(folder.statePath), PARALLEL_FILES, (name) => readTaskState(folder, name, target));
    for (const { name, file, hash, entry } of read) {
      const seen = byTask.get(entry.taskPath);
      if (seen) {
        if (seen.hash !== hash) {
          throw new UserError(
            `${seen.file} and ${file} hold different states of task ${entry.taskPath}; merge will not choose between them. Keep the one you trust and merge again.`,
          );
        }
        duplicates++;
        continue;
      }
      const clash = byName.get(name);
      if (clash)
        throw new UserError(
          `${clash.file} and ${file} share a file name but are different tasks (${clash.entry.taskPath}, ${entry.taskPath}).`,
        );
      const found: FoundTask = { name, file, folder, hash, entry, inTarget: folder === target };
      byTask.set(entry.taskPath, found);
      byName.set(name, found);
    }
  }
  const toCopy = [...byName.values()].filter((t) => !t.inTarget);
  if (await exists(target.logsPath)) await mapLimit(toCopy, PARALLEL_FILES, (task) => refuseDifferentLogs(task, target));
  const inputs = await sequenceInputs([target, ...others]);
  const sequence = mergedSequenceState(
    inputs,
    [...byName.values()].map((t) => t.entry),
  );

  const copiedLogs = await mapLimit(toCopy, PARALLEL_FILES, (task) => copyTask(task, target));
  const withoutLogs = toCopy.filter((task, i) => copiedLogs[i] === 0 && task.entry.phase !== 'pending').map((task) => task.file);
  const sequenceFile = sequenceStateFile(target.statePath);
  await writeJsonAtomic(sequenceFile, sequence);
  return {
    sequenceFile,
    sequence,
    copied: toCopy.length,
    alreadyThere: byName.size - toCopy.length,
    duplicates,
    missingShards: missingShards(sequence.mergedShards ?? []),
    withoutLogs,
  };
}

/** One task state file, read, checked and summed up as the sequence's entry for it. */
async function readTaskState(
  folder: StateFolder,
  name: string,
  target: StateFolder,
): Promise<Pick<FoundTask, 'name' | 'file' | 'hash' | 'entry'>> {
  const file = path.join(folder.statePath, name);
  const text = await readFile(file, 'utf8');
  const state = verifiedTaskState(file, text);
  const hash = createHash('sha256').update(text).digest('hex');
  const entry = withTask(newSequenceState('', [], ''), path.join(target.statePath, name), state).tasks[0]!;
  return { name, file, hash, entry };
}

/** Copies a task's logs, then its state (so a killed merge never leaves a state without its logs); returns the number of log files. */
async function copyTask(task: FoundTask, target: StateFolder): Promise<number> {
  const logs = taskLogsDir(task.folder.logsPath, task.name);
  const files = await filesUnder(logs);
  for (const file of files) {
    const to = path.join(taskLogsDir(target.logsPath, task.name), file);
    if (!(await exists(to))) await copyFileAtomic(path.join(logs, file), to);
  }
  await copyFileAtomic(task.file, path.join(target.statePath, task.name));
  return files.length;
}

function dedupe(folders: StateFolder[]): StateFolder[] {
  const seen = new Set<string>();
  return folders.filter((f) => !seen.has(f.statePath) && seen.add(f.statePath));
}

/** A log file the target already holds must be the one merge would copy there. */
async function refuseDifferentLogs(task: FoundTask, target: StateFolder): Promise<void> {
  const from = taskLogsDir(task.folder.logsPath, task.name);
  const to = taskLogsDir(target.logsPath, task.name);
  for (const file of await filesUnder(from)) {
    const existing = path.join(to, file);
    if ((await exists(existing)) && !(await sameContent(path.join(from, file), existing))) {
      throw new UserError(
        `${path.join(from, file)} and ${existing} are different logs of task ${task.entry.taskPath}; merge will not overwrite one with the other.`,
      );
    }
  }
}

async function sequenceInputs(folders: StateFolder[]): Promise<SequenceInput[]> {
  const inputs: SequenceInput[] = [];
  for (const folder of folders) {
    const file = sequenceStateFile(folder.statePath);
    const state = await readStateFile(file, SequenceStateSchema);
    if (state !== undefined) inputs.push({ file, state });
  }
  return inputs;
}
