import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectConfig } from '../config/types.js';
import { EXIT, UserError } from '../errors.js';
import type { Cap } from '../state/budget-record.js';
import { CorruptStateError, readJsonFile } from '../state/atomic-json.js';
import { updateJsonLocked } from '../state/locked-update.js';
import { sequenceStateFile, taskSlug, taskStateFile } from '../state/paths.js';
import { acquireRunLock } from '../state/run-lock.js';
import { newSequenceState, withSequenceTotals, withTask, type SequenceState } from '../state/sequence-state.js';
import { allCaps } from './budget/caps.js';
import type { RunContext } from './context.js';
import { moveAside } from './move-aside.js';
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

/**
 * Runs every task of a folder in name order. Tasks done earlier are skipped and keep their
 * counts; the sequence totals are the sum of the tasks' own state files.
 */
export async function runSequence(
  ctx: RunContext,
  dir: string,
  options: { restart: boolean; keepGoing: boolean },
): Promise<SequenceEnd> {
  const absoluteDir = path.resolve(dir);
  const tasks = await listTasks(absoluteDir);
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
  options: { restart: boolean; keepGoing: boolean },
): Promise<SequenceEnd> {
  const { config } = ctx;
  const tasksDir = path.relative(config.rootDir, absoluteDir) || '.';
  const stamp = (): string => new Date(ctx.now()).toISOString();
  const previous = await readSequenceState(stateFile, options.restart);
  if (previous === 'corrupt') await moveAside(stateFile, 'corrupt', ctx.now());
  else if (previous && (options.restart || previous.tasksDir !== tasksDir)) await moveAside(stateFile, 'previous', ctx.now());
  const fresh = options.restart || !previous || previous === 'corrupt' || previous.tasksDir !== tasksDir;
  // A task state that does not parse stops the sequence before anything runs (and is billed).
  if (!options.restart) {
    for (const task of tasks) await readJsonFile(taskStateFile(config.statePath, taskSlug(task)));
  }
  const update = (change: (s: SequenceState) => SequenceState): Promise<SequenceState> =>
    updateJsonLocked<SequenceState>(stateFile, (current) =>
      withSequenceTotals({ ...change(current ?? newSequenceState(tasksDir, tasks, stamp())), updatedAt: stamp() }),
    );

  const caps = sequenceCaps(config);
  let state = await update((s) => ({
    ...(fresh ? newSequenceState(tasksDir, tasks, stamp()) : s),
    budget: caps.length > 0 ? { caps } : undefined,
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
      const stop = end.state.budget?.stop;
      if (stop) state = await update((s) => ({ ...s, budget: { caps: sequenceCaps(config), stop } }));
      // Past a sequence cap no later task could start; a task's own cap leaves the others theirs.
      const sequenceCapReached = stop?.scope === 'sequence';
      if (end.exitCode === EXIT.interrupted || end.exitCode === EXIT.rateLimited || sequenceCapReached || !options.keepGoing) break;
    }
  } catch (error) {
    await update((s) => ({ ...s, phase: 'failed', currentTaskPath: null, finishedAt: stamp() })).catch(() => undefined);
    throw error;
  }
  const phase = exitCode === EXIT.ok ? 'done' : exitCode === EXIT.interrupted ? 'interrupted' : exitCode === EXIT.budgetExceeded ? 'budget-exceeded' : 'failed';
  state = await update((s) => ({
    ...s,
    phase,
    currentTaskPath: null,
    ...(phase !== 'interrupted' && { finishedAt: stamp() }),
  }));
  return { exitCode, state, stateFile };
}

/** The sequence's own cap (the tasks record theirs). */
function sequenceCaps(config: ProjectConfig): Cap[] {
  return allCaps(config).filter((cap) => cap.scope === 'sequence');
}
