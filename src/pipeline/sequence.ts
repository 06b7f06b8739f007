import path from 'node:path';
import type { ProjectConfig } from '../config/types.js';
import { EXIT, UserError } from '../errors/user-error.js';
import { CorruptStateError } from '../state/atomic-json.js';
import { listTasks } from '../state/list-tasks.js';
import { mapLimitInOrder } from '../state/map-limit.js';
import { realPath, realTaskFile } from '../state/real-path.js';
import { readStateFile } from '../state/read-state.js';
import type { Cap } from '../state/budget-record.js';
import { sequenceStateFile } from '../state/paths.js';
import { acquireRunLock } from '../state/run-lock.js';
import { SequenceRecord } from '../state/sequence-record.js';
import {
  newSequenceState,
  onlyTasks,
  sequenceEntry,
  SequenceStateSchema,
  type SequenceState,
  type SequenceTaskEntry,
} from '../state/sequence-state.js';
import { findTaskStateFile, taskFiles } from '../state/task-files.js';
import type { RunContext } from './run-context.js';
import { allCaps } from './budget/caps.js';
import { moveAside } from './move-aside.js';
import { sameShard, tasksOfShard, type Shard } from './shard.js';
import { readTaskFile, runTask } from './task.js';
import { phaseOfExitCode } from './step-ends.js';

export interface SequenceEnd {
  exitCode: number;
  state: SequenceState;
  stateFile: string;
  /** Why the sequence stopped on bad input (exit 2): a task held by another process, say. */
  error?: string;
  /** One line per task that an unexpected error ended: the error and the log with its details. */
  crashes: string[];
}

/** The sequence state, 'corrupt' when it does not parse and --restart may move it aside. */
async function readSequenceState(file: string, restart: boolean): Promise<SequenceState | 'corrupt' | undefined> {
  try {
    return await readStateFile(file, SequenceStateSchema);
  } catch (error) {
    if (restart && error instanceof CorruptStateError) return 'corrupt';
    throw error;
  }
}

/** Task files and task states read at once before the first task: enough to keep the disk busy. */
const PARALLEL_READS = 16;

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
export async function runSequence(ctx: RunContext, dir: string, options: SequenceOptions): Promise<SequenceEnd> {
  const absoluteDir = realPath(dir);
  const all = await listTasks(absoluteDir);
  if (all.length === 0) throw new UserError(`${absoluteDir}: no task files (*.md) in this folder.`);
  // A shard may get no task (more shards than tasks): it has nothing to do, and that is done.
  const tasks = tasksOfShard(all, options.shard ?? null);
  // A task file that cannot be sent (not UTF-8 text, unreadable) or named in a state stops the sequence before any task runs.
  // Read a few at once: each read mostly waits on the disk.
  await mapLimitInOrder(tasks, PARALLEL_READS, async (task) => {
    await readTaskFile(task);
    taskFiles(ctx.config, task);
  });
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
  // A task state that does not parse, or is another task's, stops the sequence before anything runs (and is billed),
  // and before the sequence's own state is moved aside: a sequence refused changes nothing.
  // Tasks found done here are skipped below without being opened again (nor locked: done is final).
  const doneBefore = new Map<string, SequenceTaskEntry>();
  if (!options.restart) {
    await mapLimitInOrder(tasks, PARALLEL_READS, async (task) => {
      const files = taskFiles(config, task);
      const found = await findTaskStateFile(files);
      if (found?.state.phase === 'done' && found.file === files.stateFile) doneBefore.set(task, sequenceEntry(found.file, found.state));
    });
  }
  if (previous === 'corrupt') await moveAside(stateFile, 'corrupt', ctx.now());
  // Another folder or another shard is another sequence: the old state is kept aside, not mixed in.
  const other = !!previous && previous !== 'corrupt' && (previous.tasksDir !== tasksDir || !sameShard(previous.shard, shard));
  if (previous && previous !== 'corrupt' && (options.restart || other)) await moveAside(stateFile, 'previous', ctx.now());
  const fresh = options.restart || !previous || previous === 'corrupt' || other;
  const taskPaths = tasks.map((task) => path.relative(config.rootDir, task));
  const caps = sequenceCaps(config);
  const start = newSequenceState(tasksDir, tasks, stamp(), shard);
  // Counts and totals are of the tasks in the folder now: a task removed since is dropped.
  const base = fresh ? start : onlyTasks(previous, taskPaths);
  const record = new SequenceRecord(stateFile, base, stamp);
  record.set((s) => ({
    ...s,
    budget: caps.length > 0 ? { caps } : undefined,
    shard,
    phase: 'running',
    finishedAt: undefined,
    stats: { ...s.stats, tasksTotal: tasks.length },
  }));
  await record.save(true);
  let exitCode: number = EXIT.ok;
  let refusal: UserError | undefined;
  const crashes: string[] = [];
  try {
    for (const task of tasks) {
      const done = doneBefore.get(task);
      if (done) {
        ctx.report({ type: 'task-skip', taskName: taskNameOf(task), reason: 'already done (use --restart to run it again)' });
        record.recordEntry(done);
        await record.save();
        continue;
      }
      record.set((s) => ({ ...s, currentTaskPath: path.relative(config.rootDir, task) }));
      await record.save();
      // Bad input about one task (held by another process, another task's state) stops the
      // sequence as a failure does, so it still ends with its summary.
      const end = await runTask(ctx, task, { restart: options.restart }).catch((problem: unknown) => {
        if (!(problem instanceof UserError)) throw problem;
        refusal = problem;
        return undefined;
      });
      if (!end) {
        exitCode = refusal?.exitCode ?? EXIT.badInput;
        break;
      }
      record.recordTask(end.stateFile, end.state);
      await record.save();
      if (end.crashLog) crashes.push(`${end.state.taskPath}: ${end.state.error ?? 'unexpected error'}; details in ${end.crashLog}`);
      if (end.exitCode === EXIT.ok) continue;
      // A cap that cannot be checked (an unknown cost) cannot be checked for the next task either.
      if (end.exitCode === EXIT.badInput) {
        refusal = new UserError(`${end.state.taskPath}: ${end.state.error ?? 'a budget cap cannot be checked'}`);
        exitCode = EXIT.badInput;
        break;
      }
      const stop = end.state.budget?.stop;
      if (stop) record.set((s) => ({ ...s, budget: { caps: sequenceCaps(config), stop } }));
      // Past a sequence cap no later task could start; a task's own cap leaves the others theirs.
      const sequenceCapReached = stop?.scope === 'sequence';
      const stopsSequence = end.exitCode === EXIT.interrupted || end.exitCode === EXIT.usageLimited || sequenceCapReached;
      // What stopped the sequence is its exit code, over a task that failed before it (--keep-going).
      exitCode = exitCode === EXIT.ok || stopsSequence ? end.exitCode : exitCode;
      if (stopsSequence || !options.keepGoing) break;
    }
  } catch (error) {
    record.set((s) => ({ ...s, phase: 'failed', currentTaskPath: null, finishedAt: stamp() }));
    await record.save(true).catch(() => undefined);
    throw error;
  }
  const phase = phaseOfExitCode(exitCode);
  record.set((s) => ({
    ...s,
    phase,
    currentTaskPath: null,
    ...(phase !== 'interrupted' && { finishedAt: stamp() }),
  }));
  await record.save(true);
  return { exitCode, state: record.state, stateFile, crashes, ...(refusal && { error: refusal.message }) };
}

const taskNameOf = (taskFile: string): string => path.basename(realTaskFile(taskFile)).replace(/\.md$/i, '');

/** The sequence's own cap (the tasks record theirs). */
function sequenceCaps(config: ProjectConfig): Cap[] {
  return allCaps(config).filter((cap) => cap.scope === 'sequence');
}
