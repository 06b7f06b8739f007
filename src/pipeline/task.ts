import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { asUserError } from '../errors/fs-error.js';
import { EXIT, UserError } from '../errors/user-error.js';
import { adoptLegacyState } from '../state/legacy-state.js';
import { acquireRunLock } from '../state/run-lock.js';
import { ensureWritableFolder } from '../state/writable-folder.js';
import { TaskStore } from '../state/task-store.js';
import type { TaskPhase, TaskState } from '../state/task-state.js';
import { CorruptStateError } from '../state/atomic-json.js';
import { taskFiles } from '../state/task-files.js';
import { refuseHiddenTask } from '../state/list-tasks.js';
import { realTaskFile } from '../state/real-path.js';
import type { StateFilePath } from '../state/ids.js';
import type { RunContext } from './run-context.js';
import { moveAside } from './move-aside.js';
import { recoverUnfinishedAttempts } from './recover.js';
import { runStep, type StepEnd } from './step.js';
import { STEP_ENDS } from './step-ends.js';

export interface TaskEnd {
  phase: TaskPhase;
  exitCode: number;
  state: TaskState;
  stateFile: StateFilePath;
  /** An unexpected error ended the task; its details are in this log. */
  crashLog?: string;
}

/**
 * Reads a task file, with a clear error when it is hidden, missing, unreadable or not UTF-8 text
 * (a binary file must never be sent to claude and billed).
 */
export async function readTaskFile(taskPath: string): Promise<string> {
  refuseHiddenTask(taskPath);
  let bytes: Buffer;
  try {
    bytes = await readFile(taskPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${taskPath}: task file not found.`);
    if (code === 'EISDIR')
      throw new UserError(`${taskPath}: is a folder; use "claude-project sequence ${taskPath}" for a folder of tasks.`);
    const explained = asUserError(error, { what: 'cannot read the task file', path: taskPath });
    throw explained instanceof UserError ? explained : new UserError(`${taskPath}: cannot read the task file${code ? ` (${code})` : ''}.`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${taskPath}: not UTF-8 text, so not a task file. Save it as UTF-8, or move it out of the tasks folder.`);
  }
}

/**
 * Runs the pipeline for one task, resuming: steps already done are neither re-run nor
 * re-counted; a task already done is left as it is (unless `restart`).
 */
export async function runTask(ctx: RunContext, taskFile: string, options: { restart: boolean }): Promise<TaskEnd> {
  const { config } = ctx;
  const absolute = realTaskFile(taskFile);
  const taskContent = await readTaskFile(absolute);
  const files = taskFiles(config, absolute);
  const { taskPath, stateFile, name: fileName } = files;
  const taskName = path.basename(absolute).replace(/\.md$/i, '');
  const release = await acquireRunLock(stateFile, `Task ${taskPath}`);
  const store = new TaskStore(stateFile, taskPath, taskName, () => new Date(ctx.now()));
  try {
    await adoptLegacyState(files).catch(async (error: unknown) => {
      if (!(options.restart && error instanceof CorruptStateError && error.file === files.legacy?.stateFile)) throw error;
      await moveAside(error.file, 'corrupt', ctx.now());
    });
    if (options.restart) await startOver(ctx, store, fileName);
    const existing = await store.read();
    if (existing?.phase === 'done') {
      ctx.report({ type: 'task-skip', taskName, reason: 'already done (use --restart to run it again)' });
      return { phase: 'done', exitCode: EXIT.ok, state: existing, stateFile };
    }
    // Before the task is marked running: a logs folder that cannot be written must not leave it so.
    await ensureWritableFolder(path.join(config.logsPath, fileName), 'logs folder of this task', `logsPath in ${config.file}`);
    await recoverUnfinishedAttempts(ctx, store, fileName, taskName);
    const startedAt = new Date(ctx.now()).toISOString();
    await store.update((task) => ({
      ...task,
      phase: 'running',
      startedAt: task.startedAt ?? startedAt,
      finishedAt: undefined,
      error: undefined,
    }));
    ctx.report({ type: 'task-start', taskName, taskPath, stepCount: config.pipeline.length });

    let end: StepEnd = { status: 'done' };
    for (const [stepIndex, step] of config.pipeline.entries()) {
      const current = (await store.read())?.steps.find((s) => s.name === step.name);
      if (current?.status === 'done') {
        ctx.report({ type: 'step-skip', taskName, step: step.name, reason: 'done in an earlier run' });
        continue;
      }
      end = await runStep(ctx, {
        taskName,
        fileName,
        template: { taskPath, taskName, taskContent, stepName: step.name },
        stepIndex,
        step,
        store,
      });
      if (end.status !== 'done') break;
    }

    const { phase } = STEP_ENDS[end.status];
    const exitCode = 'uncheckable' in end && end.uncheckable ? EXIT.badInput : STEP_ENDS[end.status].exitCode;
    const error = 'error' in end ? end.error : undefined;
    const state = await store.update((task) => ({
      ...task,
      phase,
      waitingUntil: undefined,
      ...(phase !== 'interrupted' && { finishedAt: new Date(ctx.now()).toISOString() }),
      ...(error !== undefined && { error }),
    }));
    ctx.report({ type: 'task-end', taskName, phase, tokenUsage: state.tokenUsage, ...(error !== undefined && { error }) });
    return { phase, exitCode, state, stateFile, ...('crashLog' in end && end.crashLog !== undefined && { crashLog: end.crashLog }) };
  } catch (error) {
    await markFailedIfRunning(store, error, ctx.now()).catch(() => undefined);
    throw error;
  } finally {
    await release();
  }
}

/** An error outside any step: a task this run marked running is not left so. */
async function markFailedIfRunning(store: TaskStore, error: unknown, nowMs: number): Promise<void> {
  if (error instanceof UserError) return;
  const state = await store.read();
  if (state?.phase !== 'running' && state?.phase !== 'waiting-rate-limit') return;
  await store.update((task) => ({
    ...task,
    phase: 'failed',
    waitingUntil: undefined,
    finishedAt: new Date(nowMs).toISOString(),
    error: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
  }));
}

/** --restart: the old state file (even one that does not parse) and logs are moved aside, never deleted. */
async function startOver(ctx: RunContext, store: TaskStore, fileName: string): Promise<void> {
  const now = ctx.now();
  const corrupt = await store.read().then(
    () => false,
    (error: unknown) => {
      if (error instanceof CorruptStateError) return true;
      throw error;
    },
  );
  await moveAside(store.file, corrupt ? 'corrupt' : 'restarted', now);
  await moveAside(path.join(ctx.config.logsPath, fileName), 'restarted', now);
}
