import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { taskSlug, taskStateFile } from '../state/paths.js';
import { acquireRunLock } from '../state/run-lock.js';
import { TaskStore } from '../state/task-store.js';
import type { TaskPhase, TaskState } from '../state/task-state.js';
import { CorruptStateError } from '../state/atomic-json.js';
import type { RunContext } from './context.js';
import { moveAside } from './move-aside.js';
import { recoverUnfinishedAttempts } from './recover.js';
import { runStep, type StepEnd } from './step.js';

export interface TaskEnd {
  phase: TaskPhase;
  exitCode: number;
  state: TaskState;
  stateFile: string;
}

/** Reads a task file, with a clear error when it is missing or unreadable. */
export async function readTaskFile(taskPath: string): Promise<string> {
  try {
    return await readFile(taskPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${taskPath}: task file not found.`);
    if (code === 'EISDIR') throw new UserError(`${taskPath}: is a folder; use "claude-project sequence ${taskPath}" for a folder of tasks.`);
    throw new UserError(`${taskPath}: cannot read task file: ${(error as Error).message}`);
  }
}

/**
 * Runs the pipeline for one task, resuming: steps already done are neither re-run nor
 * re-counted; a task already done is left as it is (unless `restart`).
 */
export async function runTask(ctx: RunContext, taskFile: string, options: { restart: boolean }): Promise<TaskEnd> {
  const { config } = ctx;
  const absolute = path.resolve(taskFile);
  const taskContent = await readTaskFile(absolute);
  const taskPath = path.relative(config.rootDir, absolute) || absolute;
  const slug = taskSlug(absolute);
  const taskName = path.basename(absolute).replace(/\.md$/i, '');
  const stateFile = taskStateFile(config.statePath, slug);
  const release = await acquireRunLock(stateFile, `Task ${taskPath}`);
  try {
    const store = new TaskStore(stateFile, taskPath, taskName, () => new Date(ctx.now()));
    if (options.restart) await startOver(ctx, store, slug);
    const existing = await store.read();
    if (existing?.phase === 'done') {
      ctx.report({ type: 'task-skip', taskName, reason: 'already done (use --restart to run it again)' });
      return { phase: 'done', exitCode: EXIT.ok, state: existing, stateFile };
    }
    await recoverUnfinishedAttempts(ctx, store, slug);
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
        slug,
        template: { taskPath, taskName, taskContent, stepName: step.name },
        stepIndex,
        step,
        store,
      });
      if (end.status !== 'done') break;
    }

    const phase: TaskPhase = end.status === 'rate-limited' ? 'failed' : end.status;
    const error = 'error' in end ? end.error : undefined;
    const state = await store.update((task) => ({
      ...task,
      phase,
      waitingUntil: undefined,
      ...(phase !== 'interrupted' && { finishedAt: new Date(ctx.now()).toISOString() }),
      ...(error !== undefined && { error }),
    }));
    ctx.report({ type: 'task-end', taskName, phase, tokenUsage: state.tokenUsage, ...(error !== undefined && { error }) });
    const exitCode = {
      done: EXIT.ok,
      interrupted: EXIT.interrupted,
      'rate-limited': EXIT.rateLimited,
      failed: EXIT.failed,
      'budget-exceeded': EXIT.budgetExceeded,
    }[end.status];
    return { phase, exitCode, state, stateFile };
  } finally {
    await release();
  }
}

/** --restart: the old state file (even one that does not parse) and logs are moved aside, never deleted. */
async function startOver(ctx: RunContext, store: TaskStore, slug: string): Promise<void> {
  const now = ctx.now();
  const corrupt = await store.read().then(
    () => false,
    (error: unknown) => error instanceof CorruptStateError,
  );
  await moveAside(store.file, corrupt ? 'corrupt' : 'restarted', now);
  await moveAside(path.join(ctx.config.logsPath, slug), 'restarted', now);
}
