import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { sequenceStateProblem } from '../report/state-shape.js';
import { CorruptStateError, readJsonFile, writeJsonAtomic } from './atomic-json.js';
import { copyFileAtomic, exists, filesUnder, sameContent } from './copy-files.js';
import { mergedSequenceState, missingShards, type SequenceInput } from './merge-sequence.js';
import { sequenceStateFile } from './paths.js';
import { newSequenceState, withTask, type SequenceState, type SequenceTaskEntry } from './sequence-state.js';
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
    for (const name of await listTaskStateNames(folder.statePath)) {
      const file = path.join(folder.statePath, name);
      const text = await readFile(file, 'utf8');
      const state = verifiedTaskState(file, text);
      const hash = createHash('sha256').update(text).digest('hex');
      const seen = byTask.get(state.taskPath);
      if (seen) {
        if (seen.hash !== hash) {
          throw new UserError(`${seen.file} and ${file} hold different states of task ${state.taskPath}; merge will not choose between them. Keep the one you trust and merge again.`);
        }
        duplicates++;
        continue;
      }
      const clash = byName.get(name);
      if (clash) throw new UserError(`${clash.file} and ${file} share a file name but are different tasks (${clash.entry.taskPath}, ${state.taskPath}).`);
      const entry = withTask(newSequenceState('', [], ''), path.join(target.statePath, name), state).tasks[0]!;
      const found: FoundTask = { name, file, folder, hash, entry, inTarget: folder === target };
      byTask.set(state.taskPath, found);
      byName.set(name, found);
    }
  }
  const toCopy = [...byName.values()].filter((t) => !t.inTarget);
  for (const task of toCopy) await refuseDifferentLogs(task, target);
  const inputs = await sequenceInputs([target, ...others]);
  const sequence = mergedSequenceState(
    inputs,
    [...byName.values()].map((t) => t.entry),
  );

  const withoutLogs: string[] = [];
  for (const task of toCopy) {
    const logs = taskLogsDir(task.folder.logsPath, task.name);
    const files = await filesUnder(logs);
    if (files.length === 0 && task.entry.phase !== 'pending') withoutLogs.push(task.file);
    for (const file of files) {
      const to = path.join(taskLogsDir(target.logsPath, task.name), file);
      if (!(await exists(to))) await copyFileAtomic(path.join(logs, file), to);
    }
    await copyFileAtomic(task.file, path.join(target.statePath, task.name));
  }
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
      throw new UserError(`${path.join(from, file)} and ${existing} are different logs of task ${task.entry.taskPath}; merge will not overwrite one with the other.`);
    }
  }
}

async function sequenceInputs(folders: StateFolder[]): Promise<SequenceInput[]> {
  const inputs: SequenceInput[] = [];
  for (const folder of folders) {
    const file = sequenceStateFile(folder.statePath);
    const state = await readJsonFile<unknown>(file);
    if (state === undefined) continue;
    const problem = sequenceStateProblem(state);
    if (problem) throw new CorruptStateError(file, problem, true);
    inputs.push({ file, state: state as SequenceState });
  }
  return inputs;
}
