import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { CorruptStateError, readJsonFile } from '../state/atomic-json.js';
import { updateJsonLocked } from '../state/locked-update.js';
import { sequenceStateFile, taskSlug, taskStateFile } from '../state/paths.js';
import { acquireRunLock } from '../state/run-lock.js';
import { newSequenceState, withSequenceTotals, withTask, type SequenceState } from '../state/sequence-state.js';
import type { RunContext } from './context.js';
import { moveAside } from './move-aside.js';
import { sameShard, tasksOfShard, type Shard } from './shard.js';
import { runTask } from './task.js';

export interface SequenceEnd {
  exitCode: number;
  state: SequenceState;
  stateFile: string;
}

/** The sequence state, 'corrupt' when it does not parse and --restart may move it aside. */
async function readSequenceState(file: string, restart: boolean): Promise<SequenceState | 'corrupt' | undefined> {
  try {
    return await readJsonFile<SequenceState>(file);
  } catch (error) {
    if (restart && error instanceof CorruptStateError) return 'corrupt';
    throw error;
  }
}

/** The folder's `*.md` task files in name order. */
export async function listTasks(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new UserError(`${dir}: tasks folder not found.`);
  if (!info.isDirectory()) throw new UserError(`${dir}: not a folder; use "claude-project run ${dir}" for a single task.`);
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.md'))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) throw new UserError(`${dir}: no task files (*.md) in this folder.`);
  return names.map((name) => path.join(dir, name));
}

export interface SequenceOptions {
  restart: boolean;
  keepGoing: boolean;
  /** Run only this shard's tasks; null or absent: all of them. */
  shard?: Shard | null;
}

/**
 * Runs every task of a folder in name order. Tasks done earlier are skipped and keep their
 * counts; the sequence totals are the sum of the tasks' own state files.
 */
export async function runSequence(
  ctx: RunContext,
  dir: string,
  options: SequenceOptions,
): Promise<SequenceEnd> {
  const absoluteDir = path.resolve(dir);
  const tasks = tasksOfShard(await listTasks(absoluteDir), options.shard ?? null);
  // One sequence state per state folder: a second sequence writing it at once would mix the two.
  const stateFile = sequenceStateFile(ctx.config.statePath);
  const release = await acquireRunLock(stateFile, `A sequence (state ${path.relative(ctx.config.rootDir, stateFile)})`);
  try {
    return await runSequenceLocked(ctx, absoluteDir, tasks, stateFile, options);
  } finally {
    await release();
  }
}

async function runSequenceLocked(
  ctx: RunContext,
  absoluteDir: string,
  tasks: string[],
  stateFile: string,
  options: SequenceOptions,
): Promise<SequenceEnd> {
  const { config } = ctx;
  const shard = options.shard ?? null;
  const tasksDir = path.relative(config.rootDir, absoluteDir) || '.';
  const stamp = (): string => new Date(ctx.now()).toISOString();
  const previous = await readSequenceState(stateFile, options.restart);
  if (previous === 'corrupt') await moveAside(stateFile, 'corrupt', ctx.now());
  // Another folder or another shard is another sequence: the old state is kept aside, not mixed in.
  const other = !!previous && previous !== 'corrupt' && (previous.tasksDir !== tasksDir || !sameShard(previous.shard, shard));
  if (previous && previous !== 'corrupt' && (options.restart || other)) await moveAside(stateFile, 'previous', ctx.now());
  const fresh = options.restart || !previous || previous === 'corrupt' || other;
  // A task state that does not parse stops the sequence before anything runs (and is billed).
  if (!options.restart) {
    for (const task of tasks) await readJsonFile(taskStateFile(config.statePath, taskSlug(task)));
  }
  const update = (change: (s: SequenceState) => SequenceState): Promise<SequenceState> =>
    updateJsonLocked<SequenceState>(stateFile, (current) =>
      withSequenceTotals({ ...change(current ?? newSequenceState(tasksDir, tasks, stamp(), shard)), updatedAt: stamp() }),
    );

  let state = await update((s) => ({
    ...(fresh ? newSequenceState(tasksDir, tasks, stamp(), shard) : s),
    shard,
    phase: 'running',
    finishedAt: undefined,
    stats: { ...s.stats, tasksTotal: tasks.length },
  }));
  let exitCode: number = EXIT.ok;
  try {
    for (const task of tasks) {
      state = await update((s) => ({ ...s, currentTaskPath: path.relative(config.rootDir, task) }));
      const end = await runTask(ctx, task, { restart: options.restart });
      state = await update((s) => withTask(s, end.stateFile, end.state));
      if (end.exitCode === EXIT.ok) continue;
      exitCode = exitCode === EXIT.ok || end.exitCode === EXIT.interrupted ? end.exitCode : exitCode;
      if (end.exitCode === EXIT.interrupted || end.exitCode === EXIT.rateLimited || !options.keepGoing) break;
    }
  } catch (error) {
    await update((s) => ({ ...s, phase: 'failed', currentTaskPath: null, finishedAt: stamp() })).catch(() => undefined);
    throw error;
  }
  const phase = exitCode === EXIT.ok ? 'done' : exitCode === EXIT.interrupted ? 'interrupted' : 'failed';
  state = await update((s) => ({
    ...s,
    phase,
    currentTaskPath: null,
    ...(phase !== 'interrupted' && { finishedAt: stamp() }),
  }));
  return { exitCode, state, stateFile };
}
