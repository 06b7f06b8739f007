import { crashPointForTests } from '../errors/test-crash.js';
import { formatUsageLine } from '../format/format-usage.js';
import type { AttemptOutcome, AttemptState, StepState, TaskState } from '../state/task-state.js';
import { totalOf } from '../usage/math.js';
import type { CallUsage } from '../usage/call-usage.js';
import type { ClaudeAttemptEnd } from './attempt.js';
import type { RunContext } from './run-context.js';
import type { StepLog } from './step-log.js';
import { updateAttempt } from './step-state-ops.js';

/** The step an attempt belongs to, and how its state is changed. */
export interface AttemptSetting {
  taskName: string;
  stepName: string;
  model: string;
  log: StepLog;
  changeStep(change: (s: StepState) => StepState): Promise<TaskState>;
}

/** How an attempt was judged: its outcome, the error said, the check's exit code. */
export interface Judgement {
  outcome: AttemptOutcome;
  error?: string;
  checkExitCode?: number;
}

/**
 * One attempt's record in its four outputs: the state file, the markers of the raw log,
 * the readable log and the progress events. `start` opens it everywhere, `finish` closes it with
 * its outcome, and `crash` (after an unexpected error) closes whatever `finish` had not reached
 * yet, with the usage seen, so that nothing is recorded twice or left open.
 */
export class AttemptRecorder {
  /** Its number, once its start is in the state. */
  private number: number | undefined;
  private startedMs = 0;
  /** How claude's call ended, once it has. */
  private claude: ClaudeAttemptEnd | undefined;
  /** Its record, once made. */
  private recorded: AttemptState | undefined;
  /** Its `attempt_end` marker is in the raw log. */
  private endMarked = false;
  /** Its record is in the state file. */
  private saved = false;
  /** Whether watchers (progress, metrics) were told how the attempt ended. */
  private reported = false;
  private pidSaved: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: RunContext,
    private readonly at: AttemptSetting,
  ) {}

  /** Opens the attempt: `unfinished` in the state (the step `running`), its header, `attempt_start`, and the event. */
  async start(startedMs: number, sessionId: string | undefined): Promise<number> {
    const { model, log, stepName, taskName } = this.at;
    const startedAt = new Date(startedMs).toISOString();
    this.startedMs = startedMs;
    let attempt: AttemptState | undefined;
    await this.at.changeStep((s) => {
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
    this.number = number;
    log.write(`\n=== ${taskName} · ${stepName} · attempt ${number} · ${model} · ${startedAt} ===`);
    log.marker({ event: 'attempt_start', attempt: number, step: stepName, model, startedAt, sessionId });
    this.ctx.report({ type: 'attempt-start', taskName, step: stepName, attempt: number, model, logPath: log.readablePath });
    return number;
  }

  /** claude's pid, saved as soon as it runs (so that a later run can stop an orphan). */
  pid(pid: number): void {
    const number = this.number;
    this.pidSaved = this.at
      .changeStep((s) => ({ ...s, attempts: s.attempts.map((a) => (a.attempt === number ? { ...a, pid } : a)) }))
      .catch(() => undefined);
  }

  /** claude's call is over: from here a crash records the usage it saw. */
  async callEnded(claude: ClaudeAttemptEnd): Promise<void> {
    await this.pidSaved;
    this.claude = claude;
  }

  /** Closes the attempt with its outcome: `attempt_end`, its line in the readable log, the event, then the state. */
  async finish(judged: Judgement): Promise<AttemptState> {
    const { ctx, claude } = this;
    const { log, stepName, taskName, model } = this.at;
    if (this.number === undefined || !claude) throw new Error('an attempt finished before it started and called claude');
    const { startedMs } = this;
    const durationMs = ctx.now() - startedMs;
    const recorded: AttemptState = {
      attempt: this.number,
      model,
      outcome: judged.outcome,
      startedAt: new Date(startedMs).toISOString(),
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
      ...(claude.usageLimit?.resetsAtMs !== undefined && { resetsAt: new Date(claude.usageLimit.resetsAtMs).toISOString() }),
      ...(judged.error !== undefined && { error: judged.error }),
    };
    this.recorded = recorded;
    this.markEnd(judged.outcome, claude.end.exitCode ?? null, claude.usage);
    log.write(
      `--- attempt ${this.number}: ${judged.outcome}${judged.error ? ` (${judged.error})` : ''} · ${formatUsageLine(totalOf(recorded.usage))} (source: ${recorded.usageSource})`,
    );
    ctx.report({
      type: 'attempt-end',
      taskName,
      step: stepName,
      attempt: this.number,
      outcome: judged.outcome,
      usage: recorded.usage,
      usageSource: recorded.usageSource,
      durationMs,
      ...(judged.error !== undefined && { detail: judged.error }),
    });
    this.reported = true;
    await this.at.changeStep((s) => {
      crashPointForTests('state-write');
      return { ...updateAttempt(s, recorded), exitCode: recorded.exitCode ?? null };
    });
    this.saved = true;
    return recorded;
  }

  /**
   * After an unexpected error (`crash` carries the usage of a call it interrupted): what `finish`
   * had not written is written `failed` with `message` and the usage seen, the state in the same
   * write as `closeStep`. Each output is tried even if another fails; the new task state, if saved.
   */
  async crash(
    message: string,
    crash: { usage: CallUsage; sessionId: string | undefined } | undefined,
    closeStep: (s: StepState) => StepState,
  ): Promise<TaskState | undefined> {
    await this.pidSaved;
    const { log } = this.at;
    const number = this.number;
    const call = this.claude ?? crash;
    if (number !== undefined && !this.endMarked) {
      try {
        this.markEnd('failed', null, call?.usage);
      } catch (markerError) {
        log.write(`[raw log marker not written: ${(markerError as Error).message}]`);
      }
    }
    const recorded = this.recorded;
    const endedAt = new Date(this.ctx.now()).toISOString();
    const failedAttempt = (attempt: AttemptState): AttemptState => ({
      ...attempt,
      ...recorded,
      outcome: 'failed',
      endedAt: recorded?.endedAt ?? endedAt,
      error: message,
      ...(!recorded && call && { usage: call.usage.usage, usageSource: call.usage.source }),
      ...(!recorded && call?.sessionId !== undefined && { sessionId: call.sessionId }),
    });
    try {
      let failed: AttemptState | undefined;
      const saved = await this.at.changeStep((s) =>
        closeStep({
          ...s,
          attempts: s.attempts.map((a) => {
            if (this.saved || a.attempt !== number) return a;
            failed = failedAttempt(a);
            return failed;
          }),
        }),
      );
      if (failed && !this.reported) this.reportEnd(failed, message);
      return saved;
    } catch (stateError) {
      log.write(`[state not saved: ${(stateError as Error).message}]`);
      return undefined;
    }
  }

  /** Tells the watchers how an attempt that `finish` never recorded ended, as the state now says. */
  private reportEnd(attempt: AttemptState, detail: string): void {
    this.reported = true;
    this.ctx.report({
      type: 'attempt-end',
      taskName: this.at.taskName,
      step: this.at.stepName,
      attempt: attempt.attempt,
      outcome: attempt.outcome,
      usage: attempt.usage,
      usageSource: attempt.usageSource,
      durationMs: this.ctx.now() - this.startedMs,
      detail,
    });
  }

  private markEnd(outcome: AttemptOutcome, exitCode: number | null, usage: CallUsage | undefined): void {
    this.at.log.marker({
      event: 'attempt_end',
      attempt: this.number!,
      outcome,
      exitCode,
      usageSource: usage?.source ?? 'estimate',
      ...(usage?.source === 'transcript' && { transcriptUsage: usage.usage }),
      ...(usage?.cacheWrites1h && { cacheWrites1h: usage.cacheWrites1h }),
    });
    this.endMarked = true;
  }
}
