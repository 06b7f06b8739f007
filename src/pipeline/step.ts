import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { argsChooseSession } from '../claude/run-claude.js';
import { checkCommandWithVariables, checkEnvironment, renderPrompt, type TemplateValues } from '../config/template.js';
import type { StepConfig } from '../config/types.js';
import { stepLogBase } from '../state/paths.js';
import type { TaskStore } from '../state/task-store.js';
import type { AttemptOutcome, AttemptState, StepState, TaskState } from '../state/task-state.js';
import { formatFooter } from '../report/footer.js';
import { formatUsageLine } from '../report/format-usage.js';
import { totalOf } from '../usage/math.js';
import { crashPointForTests } from '../errors/test-crash.js';
import { AttemptCrash, runClaudeAttempt, type ClaudeAttemptEnd } from './attempt.js';
import { StepBudget, type BudgetEnd } from './budget/step-budget.js';
import { runCheck } from './check.js';
import type { RunContext } from './run-context.js';
import { afterAttempt, isFailure, type AfterAttempt } from './after-attempt.js';
import { waitUntil } from './rate-limit-wait.js';
import { StepLog } from './step-log.js';
import { STEP_ENDS } from './step-ends.js';
import { updateAttempt, updateStep } from './step-state-ops.js';

export interface StepRun {
  taskName: string;
  slug: string;
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
 */
export async function runStep(ctx: RunContext, run: StepRun): Promise<StepEnd> {
  const { config } = ctx;
  const { step, store } = run;
  const model = step.model ?? config.model;
  const timeoutSeconds = step.timeoutSeconds ?? config.timeoutSeconds;
  const values = { ...run.template, stepName: step.name };
  const prompt = renderPrompt(step.prompt, values);
  const checkCommand = step.check ? checkCommandWithVariables(step.check.command) : undefined;
  const placeholderEnv = checkEnvironment(values);
  const checkEnv = { ...ctx.env, ...placeholderEnv };
  const log = await StepLog.open(stepLogBase(config.logsPath, run.slug, run.stepIndex, step.name));
  const changeStep = (change: (s: StepState) => StepState): Promise<TaskState> =>
    store.update((task) => updateStep(task, step.name, model, change));
  let failures = 0;
  let rerunsWithoutReset = 0;
  let end: StepEnd | undefined;
  let pidRecorded: Promise<unknown> = Promise.resolve();
  /** The attempt under way, until its outcome is in the state and the journal. */
  let current: AttemptUnderWay | undefined;
  const budget = new StepBudget(ctx, store, step, run.stepIndex, model);
  try {
    while (!end) {
      const gate = await budget.beforeAttempt();
      if (!gate.go) {
        end = gate.end;
        log.write(gate.end.error);
        break;
      }
      const startedMs = ctx.now();
      const startedAt = new Date(startedMs).toISOString();
      const sessionId = argsChooseSession(config.claude.args) ? undefined : randomUUID();
      let attempt: AttemptState | undefined;
      await changeStep((s) => {
        attempt = {
          attempt: s.attempts.length + 1,
          model,
          outcome: 'unfinished',
          startedAt,
          ...(sessionId !== undefined && { sessionId }),
          usage: {},
          usageSource: 'none',
          malformedLines: 0,
        };
        return { ...s, model, status: 'running', startedAt: s.startedAt ?? startedAt, attempts: [...s.attempts, attempt] };
      });
      const number = (attempt as AttemptState).attempt;
      current = { number, journaled: false, saved: false };
      log.write(`\n=== ${run.taskName} · ${step.name} · attempt ${number} · ${model} · ${startedAt} ===`);
      log.marker({
        event: 'attempt_start',
        attempt: number,
        step: step.name,
        model,
        startedAt,
        sessionId,
      });
      ctx.report({ type: 'attempt-start', taskName: run.taskName, step: step.name, attempt: number, model, logPath: log.readablePath });

      const claude = await runClaudeAttempt(ctx, {
        taskName: run.taskName,
        step: step.name,
        attempt: number,
        model,
        prompt,
        sessionId,
        timeoutSeconds,
        log,
        budget: gate.call,
        env: placeholderEnv,
        onSpawn: (pid) => {
          pidRecorded = changeStep((s) => ({ ...s, attempts: s.attempts.map((a) => (a.attempt === number ? { ...a, pid } : a)) })).catch(
            () => undefined,
          );
        },
      });
      await pidRecorded;
      current.claude = claude;
      const judged = await judge(ctx, claude, step, checkCommand === undefined ? undefined : { command: checkCommand, env: checkEnv }, log);
      const durationMs = ctx.now() - startedMs;
      const recorded: AttemptState = {
        attempt: number,
        model,
        outcome: judged.outcome,
        startedAt,
        endedAt: new Date(ctx.now()).toISOString(),
        durationMs,
        exitCode: claude.end.exitCode ?? null,
        ...(claude.sessionId !== undefined && { sessionId: claude.sessionId }),
        ...(claude.apiKeySource !== undefined && { apiKeySource: claude.apiKeySource }),
        usage: claude.usage.usage,
        usageSource: claude.usage.source,
        ...(claude.subagents && { subagents: claude.subagents }),
        malformedLines: claude.end.malformedLines,
        ...(judged.checkExitCode !== undefined && { checkExitCode: judged.checkExitCode }),
        ...(claude.rateLimit?.resetsAtMs !== undefined && { resetsAt: new Date(claude.rateLimit.resetsAtMs).toISOString() }),
        ...(judged.error !== undefined && { error: judged.error }),
      };
      current.recorded = recorded;
      log.marker({
        event: 'attempt_end',
        attempt: number,
        outcome: judged.outcome,
        exitCode: recorded.exitCode,
        usageSource: claude.usage.source,
        ...(claude.usage.source === 'transcript' && { transcriptUsage: claude.usage.usage }),
        ...(claude.usage.cacheWrites1h && { cacheWrites1h: claude.usage.cacheWrites1h }),
      });
      current.journaled = true;
      log.write(
        `--- attempt ${number}: ${judged.outcome}${judged.error ? ` (${judged.error})` : ''} · ${formatUsageLine(totalOf(recorded.usage))} (source: ${recorded.usageSource})`,
      );
      ctx.report({
        type: 'attempt-end',
        taskName: run.taskName,
        step: step.name,
        attempt: number,
        outcome: judged.outcome,
        usage: recorded.usage,
        usageSource: recorded.usageSource,
        durationMs,
        ...(judged.error !== undefined && { detail: judged.error }),
      });
      await changeStep((s) => {
        crashPointForTests('state-write');
        return { ...updateAttempt(s, recorded), exitCode: recorded.exitCode ?? null };
      });
      current.saved = true;

      if (isFailure(judged.outcome)) failures++;
      const after = afterAttempt({
        outcome: judged.outcome,
        error: judged.error,
        resetsAtMs: recorded.resetsAt ? Date.parse(recorded.resetsAt) : undefined,
        failures,
        retries: step.check?.retries ?? 0,
        rerunsWithoutReset,
        rateLimit: config.rateLimit,
        startedAtMs: startedMs,
        nowMs: ctx.now(),
      });
      if (after.next === 'wait') rerunsWithoutReset = after.resetAhead ? 0 : rerunsWithoutReset + 1;
      end = after.next === 'budget' ? await budget.stopInCall() : await actOn(ctx, run, after, changeStep);
    }
    const final = await changeStep((s) => finishedStep(s, end!, ctx.now()));
    crashPointForTests('footer');
    writeFooter(log, final, step.name, end);
    return end;
  } catch (error) {
    await pidRecorded;
    return await afterCrash(ctx, error, { log, stepName: step.name, changeStep, current });
  } finally {
    await log.close();
  }
}

/** The attempt being run: what is known of it, and how far its outcome has been written. */
interface AttemptUnderWay {
  number: number;
  /** How claude's call ended, once it has. */
  claude?: ClaudeAttemptEnd;
  /** The attempt's record, once made. */
  recorded?: AttemptState;
  /** Its `attempt_end` marker is in the journal. */
  journaled: boolean;
  /** Its record is in the state file. */
  saved: boolean;
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
 * seen up to the error, the journal and footer are written, the full stack goes to the readable
 * log (and to stderr when DEBUG is set). Each of these is tried even if another fails.
 */
async function afterCrash(
  ctx: RunContext,
  error: unknown,
  at: {
    log: StepLog;
    stepName: string;
    changeStep: (change: (s: StepState) => StepState) => Promise<TaskState>;
    current: AttemptUnderWay | undefined;
  },
): Promise<StepEnd> {
  const { log, current } = at;
  const message = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  const stack = error instanceof Error && error.stack ? error.stack : message;
  log.write(`[${message}]\n${stack}`);
  if (ctx.env.DEBUG) process.stderr.write(`${stack}\n`);
  const crash = error instanceof AttemptCrash ? error : undefined;
  const call = current?.claude ?? crash;
  const end: StepEnd = { status: 'failed', error: message, crashLog: log.readablePath };
  const endedAt = new Date(ctx.now()).toISOString();
  const failedAttempt = (attempt: AttemptState): AttemptState => ({
    ...attempt,
    ...current?.recorded,
    outcome: 'failed',
    endedAt: current?.recorded?.endedAt ?? endedAt,
    error: message,
    ...(!current?.recorded && call && { usage: call.usage.usage, usageSource: call.usage.source }),
    ...(!current?.recorded && call?.sessionId !== undefined && { sessionId: call.sessionId }),
  });
  if (current && !current.journaled) {
    try {
      log.marker({
        event: 'attempt_end',
        attempt: current.number,
        outcome: 'failed',
        exitCode: null,
        usageSource: call?.usage.source ?? 'estimate',
        ...(call?.usage.source === 'transcript' && { transcriptUsage: call.usage.usage }),
        ...(call?.usage.cacheWrites1h && { cacheWrites1h: call.usage.cacheWrites1h }),
      });
    } catch (journalError) {
      log.write(`[journal not written: ${(journalError as Error).message}]`);
    }
  }
  let final: TaskState | undefined;
  try {
    final = await at.changeStep((s) =>
      finishedStep(
        { ...s, attempts: s.attempts.map((a) => (current && !current.saved && a.attempt === current.number ? failedAttempt(a) : a)) },
        end,
        ctx.now(),
      ),
    );
  } catch (stateError) {
    log.write(`[state not saved: ${(stateError as Error).message}]`);
  }
  try {
    writeFooter(log, final, at.stepName, end);
  } catch (footerError) {
    log.write(`[footer not written: ${(footerError as Error).message}]`);
  }
  return end;
}

interface Judgement {
  outcome: AttemptOutcome;
  error?: string;
  checkExitCode?: number;
}

/** How an attempt ended: claude's own outcome first, then (if claude succeeded) the check's. */
async function judge(
  ctx: RunContext,
  claude: ClaudeAttemptEnd,
  step: StepConfig,
  check: { command: string; env: NodeJS.ProcessEnv } | undefined,
  log: StepLog,
): Promise<Judgement> {
  const { end } = claude;
  if (claude.budgetStopped && !ctx.signal.aborted) return { outcome: 'budget', error: 'budget cap reached' };
  if (end.interrupted) return { outcome: 'interrupted', error: 'interrupted' };
  if (end.timedOut) return { outcome: 'timeout', error: `timeout after ${step.timeoutSeconds ?? ctx.config.timeoutSeconds}s` };
  if (end.spawnError) return { outcome: 'claude-failed', error: end.spawnError };
  const failed = end.exitCode !== 0 || claude.resultIsError;
  if (failed && claude.rateLimit) return { outcome: 'rate-limited', error: 'usage limit reached' };
  if (failed) {
    if (end.exitCode !== 0) {
      const why = `claude exited with ${end.signal ?? `code ${end.exitCode}`}`;
      return { outcome: 'claude-failed', error: claude.resultArrived ? why : `${why}, without a result` };
    }
    return { outcome: 'claude-failed', error: claude.resultArrived ? 'claude reported an error result' : 'claude ended without a result' };
  }
  if (check === undefined) return { outcome: 'passed' };
  crashPointForTests('check');
  log.write(`$ ${check.command}   (check)`);
  const timeoutSeconds = step.timeoutSeconds ?? ctx.config.timeoutSeconds;
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
    ctx.report({ type: 'rate-limit-wait', taskName: run.taskName, step: run.step.name, resetsAtMs: untilMs, remainingMs }),
  );
  await run.store.update((task) => ({ ...task, phase: 'running', waitingUntil: undefined }));
  return waited ? undefined : { status: 'interrupted' };
}
