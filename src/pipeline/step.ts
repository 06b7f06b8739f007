import { randomUUID } from 'node:crypto';
import { argsChooseSession } from '../claude/run-claude.js';
import { fillTemplate, renderPrompt, type TemplateValues } from '../config/template.js';
import type { StepConfig } from '../config/types.js';
import { stepLogBase } from '../state/paths.js';
import type { TaskStore } from '../state/task-store.js';
import type { AttemptOutcome, AttemptState, StepState, TaskState } from '../state/task-state.js';
import { formatFooter } from '../usage/footer.js';
import { formatUsageLine } from '../usage/rows.js';
import { totalOf } from '../usage/math.js';
import { runClaudeAttempt, type ClaudeAttemptEnd } from './attempt.js';
import { StepBudget, type BudgetEnd } from './budget/step-budget.js';
import { runCheck } from './check.js';
import type { RunContext } from './context.js';
import { decideRateLimitWait, waitUntil } from './rate-limit-wait.js';
import { StepLog } from './step-log.js';
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
  | { status: 'failed'; error: string }
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
  const retries = step.check?.retries ?? 0;
  const values = { ...run.template, stepName: step.name };
  const prompt = renderPrompt(step.prompt, values);
  const checkCommand = step.check ? fillTemplate(step.check.command, values) : undefined;
  const log = await StepLog.open(stepLogBase(config.logsPath, run.slug, run.stepIndex, step.name));
  const changeStep = (change: (s: StepState) => StepState): Promise<TaskState> =>
    store.update((task) => updateStep(task, step.name, model, change));
  let failures = 0;
  let end: StepEnd | undefined;
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
          usageSource: 'estimate',
          malformedLines: 0,
        };
        return { ...s, model, status: 'running', startedAt: s.startedAt ?? startedAt, attempts: [...s.attempts, attempt] };
      });
      const number = (attempt as AttemptState).attempt;
      log.write(`\n=== ${run.taskName} · ${step.name} · attempt ${number} · ${model} · ${startedAt} ===`);
      log.marker('attempt_start', { attempt: number, step: step.name, model, startedAt, sessionId });
      ctx.report({ type: 'attempt-start', taskName: run.taskName, step: step.name, attempt: number, model, logPath: log.readablePath });

      let pidRecorded: Promise<unknown> = Promise.resolve();
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
        onSpawn: (pid) => {
          pidRecorded = changeStep((s) => ({ ...s, attempts: s.attempts.map((a) => (a.attempt === number ? { ...a, pid } : a)) })).catch(
            () => undefined,
          );
        },
      });
      await pidRecorded;
      const judged = await judge(ctx, claude, step, checkCommand, log);
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
        usage: claude.usage.usage,
        usageSource: claude.usage.source,
        malformedLines: claude.end.malformedLines,
        ...(judged.checkExitCode !== undefined && { checkExitCode: judged.checkExitCode }),
        ...(claude.rateLimit?.resetsAtMs !== undefined && { resetsAt: new Date(claude.rateLimit.resetsAtMs).toISOString() }),
        ...(judged.error !== undefined && { error: judged.error }),
      };
      log.marker('attempt_end', {
        attempt: number,
        outcome: judged.outcome,
        exitCode: recorded.exitCode,
        usageSource: claude.usage.source,
        ...(claude.usage.source === 'transcript' && { transcriptUsage: claude.usage.usage }),
      });
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
      await changeStep((s) => ({ ...updateAttempt(s, recorded), exitCode: recorded.exitCode ?? null }));

      end = judged.outcome === 'budget' ? await budget.stopInCall() : await decideNext(ctx, run, judged, recorded, () => ++failures > retries, changeStep);
    }
    const finishedAt = new Date(ctx.now()).toISOString();
    const final = await changeStep((s) => ({
      ...s,
      status: end!.status === 'rate-limited' ? 'failed' : end!.status,
      finishedAt,
      durationMs: s.startedAt ? Date.parse(finishedAt) - Date.parse(s.startedAt) : undefined,
      ...('error' in end! ? { error: end!.error } : { error: undefined }),
    }));
    const state = final.steps.find((s) => s.name === step.name);
    const malformed = state?.attempts.reduce((n, a) => n + a.malformedLines, 0) ?? 0;
    log.write(
      formatFooter({
        usage: state?.usage ?? {},
        source: state?.usageSource ?? 'estimate',
        outcome: `${end.status}${'error' in end ? ` (${end.error})` : ''} · ${state?.attempts.length ?? 0} attempt(s)`,
        malformedLines: malformed,
      }),
    );
    return end;
  } finally {
    await log.close();
  }
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
  checkCommand: string | undefined,
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
  if (checkCommand === undefined) return { outcome: 'passed' };
  log.write(`$ ${checkCommand}   (check)`);
  const check = await runCheck(checkCommand, ctx.config.rootDir, ctx.env, ctx.signal);
  if (check.output.trim()) log.write(check.output.trimEnd());
  log.write(`check ${check.passed ? 'passed' : `failed (exit ${check.exitCode ?? 'none'})`}`);
  if (ctx.signal.aborted) return { outcome: 'interrupted', error: 'interrupted' };
  return check.passed
    ? { outcome: 'passed', ...(check.exitCode !== undefined && { checkExitCode: check.exitCode }) }
    : { outcome: 'check-failed', error: `check failed (exit ${check.exitCode ?? 'none'})`, ...(check.exitCode !== undefined && { checkExitCode: check.exitCode }) };
}

/** After an attempt: done, try again (undefined), wait for a usage limit, or stop. */
async function decideNext(
  ctx: RunContext,
  run: StepRun,
  judged: Judgement,
  recorded: AttemptState,
  failureExhaustsRetries: () => boolean,
  changeStep: (change: (s: StepState) => StepState) => Promise<TaskState>,
): Promise<StepEnd | undefined> {
  switch (judged.outcome) {
    case 'passed':
      return { status: 'done' };
    case 'interrupted':
      return { status: 'interrupted' };
    case 'rate-limited': {
      const resetsAtMs = recorded.resetsAt ? Date.parse(recorded.resetsAt) : undefined;
      const decision = decideRateLimitWait(ctx, resetsAtMs);
      if (!decision.wait) return { status: 'rate-limited', error: decision.reason };
      await run.store.update((task) => ({ ...task, phase: 'waiting-rate-limit', waitingUntil: new Date(decision.untilMs).toISOString() }));
      await changeStep((s) => ({ ...s, status: 'waiting-rate-limit' }));
      const waited = await waitUntil(ctx, decision.untilMs, (remainingMs) =>
        ctx.report({ type: 'rate-limit-wait', taskName: run.taskName, step: run.step.name, resetsAtMs: decision.untilMs, remainingMs }),
      );
      await run.store.update((task) => ({ ...task, phase: 'running', waitingUntil: undefined }));
      return waited ? undefined : { status: 'interrupted' };
    }
    default:
      return failureExhaustsRetries() ? { status: 'failed', error: judged.error ?? judged.outcome } : undefined;
  }
}
