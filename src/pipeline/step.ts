import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { argsChooseSession } from '../claude/run-claude.js';
import { checkCommandWithVariables, checkEnvironment, renderPrompt, type TemplateValues } from '../config/template.js';
import type { StepConfig } from '../config/types.js';
import { stepLogBase } from '../state/paths.js';
import type { TaskStore } from '../state/task-store.js';
import type { StepState, TaskState } from '../state/task-state.js';
import { formatFooter } from '../format/footer.js';
import { crashPointForTests } from '../errors/test-crash.js';
import { AttemptCrash, runClaudeAttempt, type ClaudeAttemptEnd } from './attempt.js';
import { StepBudget, type BudgetEnd } from './budget/step-budget.js';
import { runCheck } from './check.js';
import type { RunContext } from './run-context.js';
import { afterAttempt, isFailure, type AfterAttempt } from './after-attempt.js';
import { waitUntil } from './usage-limit-wait.js';
import { StepLog } from './step-log.js';
import { STEP_ENDS } from './step-ends.js';
import { updateStep } from './step-state-ops.js';
import { AttemptRecorder, type Judgement } from './attempt-recorder.js';
import type { CallEndReason } from './call-end-reason.js';

export interface StepRun {
  taskName: string;
  fileName: string;
  template: TemplateValues;
  stepIndex: number;
  step: StepConfig;
  store: TaskStore;
}

export type StepEnd =
  | { status: 'done' }
  | {
      status: 'failed';
      error: string;
      /** An unexpected error ended the step; details in this log. */
      crashLog?: string;
      /** A budget cap could not be checked: an unknown cost (exit 2). */
      uncheckable?: true;
    }
  | { status: 'interrupted' }
  | { status: 'rate-limited'; error: string }
  | BudgetEnd;

/**
 * Runs a step until it passes, fails past its retries, hits a usage limit it may not wait for,
 * or is interrupted. Every attempt is recorded (and billed usage kept) whatever its outcome.
 * Each turn: the budget's gate, an attempt (claude, then the check), its record, the decision.
 */
export async function runStep(ctx: RunContext, run: StepRun): Promise<StepEnd> {
  const { config } = ctx;
  const { step, store } = run;
  const values = { ...run.template, stepName: step.name };
  const prompt = renderPrompt(step.prompt, values);
  const placeholderEnv = checkEnvironment(values);
  const check = step.check ? { command: checkCommandWithVariables(step.check.command), env: { ...ctx.env, ...placeholderEnv } } : undefined;
  const log = await StepLog.open(stepLogBase(config.logsPath, run.fileName, run.stepIndex, step.name));
  const changeStep = (change: (s: StepState) => StepState): Promise<TaskState> =>
    store.update((task) => updateStep(task, step.name, step.model, change));
  const setting = { taskName: run.taskName, stepName: step.name, model: step.model, log, changeStep };
  let failures = 0;
  let rerunsWithoutReset = 0;
  let end: StepEnd | undefined;
  /** The attempt under way, until its outcome is in the state and the raw log. */
  let current: AttemptRecorder | undefined;
  const budget = new StepBudget(ctx, store, step, run.stepIndex);
  try {
    while (!end) {
      const gate = await budget.beforeAttempt();
      if (!gate.go) {
        end = gate.end;
        log.write(gate.end.error);
        break;
      }

      const startedMs = ctx.now();
      const sessionId = argsChooseSession(config.claude.args) ? undefined : randomUUID();
      const attempt = new AttemptRecorder(ctx, setting);
      current = attempt;
      const number = await attempt.start(startedMs, sessionId);
      const claude = await runClaudeAttempt(ctx, {
        taskName: run.taskName,
        step: step.name,
        attempt: number,
        model: step.model,
        prompt,
        sessionId,
        timeoutSeconds: step.timeoutSeconds,
        log,
        budget: gate.call,
        env: placeholderEnv,
        onSpawn: (pid) => attempt.pid(pid),
      });
      await attempt.callEnded(claude);
      const judged = await judge(ctx, claude, step, check, log);

      const recorded = await attempt.finish(judged);
      current = undefined;

      if (isFailure(judged.outcome)) failures++;
      const after = afterAttempt({
        outcome: judged.outcome,
        error: judged.error,
        resetsAtMs: recorded.resetsAt ? Date.parse(recorded.resetsAt) : undefined,
        failures,
        retries: step.retries,
        rerunsWithoutReset,
        rateLimit: config.rateLimit,
        nowMs: ctx.now(),
      });
      if (after.next === 'wait') rerunsWithoutReset = after.resetAhead ? 0 : rerunsWithoutReset + 1;
      end = after.next === 'budget' ? await budget.stopInCall() : await actOn(ctx, run, after, changeStep);
    }
    const final = await changeStep((s) => finishedStep(s, end!, ctx.now()));
    crashPointForTests('footer');
    writeFooter(log, final, step.name, end);
    // The step is done and stays done (a later run does not bill it again), but a cap that its cost
    // left unknown stops the task here: it is not passed silently.
    const uncheckable = end.status === 'done' ? await budget.uncheckableNow() : undefined;
    if (uncheckable) log.write(uncheckable.error);
    return uncheckable ?? end;
  } catch (error) {
    return await afterCrash(ctx, error, { log, stepName: step.name, changeStep, current });
  } finally {
    await log.close();
  }
}

/** The step closed with `end`: its status, end time and error. */
function finishedStep(s: StepState, end: StepEnd, nowMs: number): StepState {
  const finishedAt = new Date(nowMs).toISOString();
  return {
    ...s,
    status: STEP_ENDS[end.status].phase,
    finishedAt,
    durationMs: s.startedAt ? Date.parse(finishedAt) - Date.parse(s.startedAt) : undefined,
    ...('error' in end ? { error: end.error } : { error: undefined }),
  };
}

/** The closing usage footer of the step's readable log. */
function writeFooter(log: StepLog, task: TaskState | undefined, stepName: string, end: StepEnd): void {
  const state = task?.steps.find((s) => s.name === stepName);
  const malformed = state?.attempts.reduce((n, a) => n + a.malformedLines, 0) ?? 0;
  log.write(
    formatFooter({
      usage: state?.usage ?? {},
      source: state?.usageSource ?? 'estimate',
      outcome: `${end.status}${'error' in end ? ` (${end.error})` : ''} · ${state?.attempts.length ?? 0} attempt(s)`,
      malformedLines: malformed,
    }),
  );
}

/**
 * An unexpected error anywhere in the step (claude is already stopped by then, see runClaude):
 * the attempt under way and the step are recorded `failed` with the error and with the usage
 * seen up to the error, the raw log markers and footer are written, the full stack goes to the readable
 * log (and to stderr when DEBUG is set). Each of these is tried even if another fails.
 */
async function afterCrash(
  ctx: RunContext,
  error: unknown,
  at: {
    log: StepLog;
    stepName: string;
    changeStep: (change: (s: StepState) => StepState) => Promise<TaskState>;
    current: AttemptRecorder | undefined;
  },
): Promise<StepEnd> {
  const { log, current } = at;
  const message = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  const stack = error instanceof Error && error.stack ? error.stack : message;
  log.write(`[${message}]\n${stack}`);
  if (ctx.env.DEBUG) process.stderr.write(`${stack}\n`);
  const end: StepEnd = { status: 'failed', error: message, crashLog: log.readablePath };
  const closeStep = (s: StepState): StepState => finishedStep(s, end, ctx.now());
  let final: TaskState | undefined;
  if (current) {
    final = await current.crash(message, error instanceof AttemptCrash ? error : undefined, closeStep);
  } else {
    try {
      final = await at.changeStep(closeStep);
    } catch (stateError) {
      log.write(`[state not saved: ${(stateError as Error).message}]`);
    }
  }
  try {
    writeFooter(log, final, at.stepName, end);
  } catch (footerError) {
    log.write(`[footer not written: ${(footerError as Error).message}]`);
  }
  return end;
}

/** What each way a claude call can end makes of the attempt; a call that succeeded is judged by the check. */
function outcomeOf(reason: Exclude<CallEndReason, { reason: 'succeeded' }>, step: StepConfig): Judgement {
  switch (reason.reason) {
    case 'budget':
      return { outcome: 'budget', error: 'budget cap reached' };
    case 'interrupted':
      return { outcome: 'interrupted', error: 'interrupted' };
    case 'timeout':
      return { outcome: 'timeout', error: `timeout after ${step.timeoutSeconds}s` };
    case 'rate-limited':
      return { outcome: 'rate-limited', error: 'usage limit reached' };
    case 'claude-failed':
      return { outcome: 'claude-failed', error: reason.detail };
  }
}

/** How an attempt ended: why claude's call ended, then (if it succeeded) the check's verdict. */
async function judge(
  ctx: RunContext,
  claude: ClaudeAttemptEnd,
  step: StepConfig,
  check: { command: string; env: NodeJS.ProcessEnv } | undefined,
  log: StepLog,
): Promise<Judgement> {
  if (claude.reason.reason !== 'succeeded') return outcomeOf(claude.reason, step);
  if (check === undefined) return { outcome: 'passed' };
  crashPointForTests('check');
  log.write(`$ ${check.command}   (check)`);
  const { timeoutSeconds } = step;
  const ran = await runCheck({
    command: check.command,
    cwd: ctx.config.rootDir,
    env: check.env,
    signal: ctx.signal,
    stopNow: ctx.stopNow,
    ...(timeoutSeconds !== undefined && { timeoutMs: timeoutSeconds * 1000 }),
    onOutput: (text) => log.append(text),
    mustWait: () => log.readable.writableNeedDrain,
    drained: () => once(log.readable, 'drain').then(() => undefined),
  });
  if (ran.outputTail && !ran.outputTail.endsWith('\n')) log.append('\n');
  const exit = ran.timedOut ? `timed out after ${timeoutSeconds}s` : `exit ${ran.exitCode ?? 'none'}`;
  log.write(`check ${ran.passed ? 'passed' : `failed (${exit})`}`);
  if (ctx.signal.aborted) return { outcome: 'interrupted', error: 'interrupted' };
  const checkExitCode = ran.exitCode !== undefined ? { checkExitCode: ran.exitCode } : {};
  return ran.passed
    ? { outcome: 'passed', ...checkExitCode }
    : { outcome: 'check-failed', error: `check failed (${exit})`, ...checkExitCode };
}

/** After an attempt: done, try again (undefined), wait for a usage limit (then try again), or stop. */
async function actOn(
  ctx: RunContext,
  run: StepRun,
  after: Exclude<AfterAttempt, { next: 'budget' }>,
  changeStep: (change: (s: StepState) => StepState) => Promise<TaskState>,
): Promise<StepEnd | undefined> {
  if (after.next === 'done') return { status: 'done' };
  if (after.next === 'again') return undefined;
  if (after.next === 'stop') return after.end;
  const { untilMs } = after;
  await run.store.update((task) => ({ ...task, phase: 'waiting-rate-limit', waitingUntil: new Date(untilMs).toISOString() }));
  await changeStep((s) => ({ ...s, status: 'waiting-rate-limit' }));
  const waited = await waitUntil(ctx, untilMs, (remainingMs) =>
    ctx.report({ type: 'usage-limit-wait', taskName: run.taskName, step: run.step.name, resetsAtMs: untilMs, remainingMs }),
  );
  await run.store.update((task) => ({ ...task, phase: 'running', waitingUntil: undefined }));
  return waited ? undefined : { status: 'interrupted' };
}
