import { claudeArgs, runClaude, type ClaudeCallEnd } from '../claude/run-claude.js';
import { UsageLimitDetector } from '../claude/usage-limit.js';
import { formatEvent } from '../claude/readable-log.js';
import { isAssistant, type StreamEvent } from '../claude/stream-events.js';
import { crashPointForTests } from '../errors/test-crash.js';
import type { CallUsage } from '../usage/call-usage.js';
import { totalOf } from '../usage/math.js';
import { maxBudgetArgument } from './budget/decide.js';
import type { CallBudget } from './budget/step-budget.js';
import { BudgetWatch } from './budget/watch.js';
import { CallObserver } from './call-observer.js';
import { callEndReason, type CallEndReason } from './call-end-reason.js';
import { PriceTable } from '../usage/pricing.js';
import type { RunContext } from './run-context.js';
import type { StepLog } from './step-log.js';
import type { SubagentUsage } from '../state/subagent-record.js';

export interface AttemptCall {
  taskName: string;
  step: string;
  attempt: number;
  model: string;
  prompt: string;
  /** Passed as --session-id when set. */
  sessionId: string | undefined;
  timeoutSeconds: number | undefined;
  log: StepLog;
  /** claude's pid, as soon as it runs (recorded so a later run can stop an orphan). */
  onSpawn(pid: number): void;
  /** Under a budget: passed as --max-budget-usd, and watched on the live stream. */
  budget?: CallBudget | undefined;
  /** Added to claude's environment: the task and step it serves (for hooks and the commands it runs). */
  env?: Record<string, string>;
}

export interface ClaudeAttemptEnd {
  end: ClaudeCallEnd;
  usage: CallUsage;
  /** The subagent calls, each from its transcript; undefined when none left one. */
  subagents: SubagentUsage[] | undefined;
  sessionId: string | undefined;
  apiKeySource: string | undefined;
  /** Why the call ended. */
  reason: CallEndReason;
  /** The usage limit seen, if any, and when it resets. */
  usageLimit: { resetsAtMs: number | undefined } | undefined;
}

const USAGE_REPORT_INTERVAL_MS = 1000;

/** An unexpected error during a call (claude already stopped), with the usage seen up to then. */
export class AttemptCrash extends Error {
  constructor(
    override readonly cause: unknown,
    readonly usage: CallUsage,
    readonly sessionId: string | undefined,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'AttemptCrash';
    if (cause instanceof Error && cause.stack) this.stack = cause.stack;
  }
}

/** One `claude` call of a step: streaming into the logs, accounting, and settling its usage. */
export async function runClaudeAttempt(ctx: RunContext, call: AttemptCall): Promise<ClaudeAttemptEnd> {
  const { config } = ctx;
  const observer = new CallObserver(PriceTable.withOverrides(config.pricing), call.sessionId);
  const usageLimit = new UsageLimitDetector(ctx.now);
  let lastUsageReport = 0;
  const budget = call.budget
    ? new BudgetWatch(call.budget.leftUsd, (cost) =>
        call.log.write(
          `budget: this call's running count $${cost.toFixed(4)} passed what was left ($${call.budget!.leftUsd.toFixed(4)}): stopping claude`,
        ),
      )
    : undefined;

  const onEvent = (event: StreamEvent): void => {
    observer.observe(event);
    if (isAssistant(event)) crashPointForTests('stream');
    usageLimit.observe(event);
    // a part without a price counts as nothing: caps on steps whose model has no price are refused up front
    budget?.observe(event, () => totalOf(observer.usage.estimate()).costUsd ?? 0);
    const text = formatEvent(event);
    if (text) call.log.write(text);
    if (isAssistant(event) && ctx.now() - lastUsageReport >= USAGE_REPORT_INTERVAL_MS) {
      lastUsageReport = ctx.now();
      ctx.report({
        type: 'attempt-usage',
        taskName: call.taskName,
        step: call.step,
        attempt: call.attempt,
        usage: observer.usage.estimate(),
      });
    }
  };

  const args = [
    ...claudeArgs(call.model, config.claude.args, call.sessionId),
    ...(call.budget ? ['--max-budget-usd', maxBudgetArgument(call.budget.leftUsd)] : []),
  ];
  call.log.write(`$ ${[config.claude.command, ...args].join(' ')}  (prompt on stdin, ${call.prompt.length} characters)`);
  let end: ClaudeCallEnd;
  try {
    end = await runClaude({
      command: config.claude.command,
      args,
      prompt: call.prompt,
      cwd: config.rootDir,
      env: { ...ctx.env, ...call.env },
      ...(call.timeoutSeconds !== undefined && { timeoutMs: call.timeoutSeconds * 1000 }),
      exitAfterResultMs: config.claude.exitAfterResultSeconds * 1000,
      signal: budget ? budget.signal(ctx.signal) : ctx.signal,
      stopNow: ctx.stopNow,
      rawLogPath: call.log.rawPath,
      backpressureFrom: [call.log.readable],
      onSpawn: call.onSpawn,
      onEvent,
      onMalformedLine: (reason, preview) => call.log.write(`[malformed line: ${reason}] ${preview}`),
    });
  } catch (error) {
    const usage = await observer.settle(ctx.env, config.rootDir).catch(() => observer.usage.settle());
    throw new AttemptCrash(error, usage, observer.sessionId);
  }

  const usage = await observer.settle(ctx.env, config.rootDir);
  // a subagent's transcript that cannot be read leaves the attempt without the per-subagent split, never without its usage
  const subagents = await observer.subagents(ctx.env, config.rootDir).catch(() => undefined);
  if (end.stderrTail.trim()) call.log.write(`[stderr] ${end.stderrTail.trim()}`);
  if (end.ended.by === 'lingered')
    call.log.write(
      `claude did not exit within ${config.claude.exitAfterResultSeconds}s of its result (claude.exitAfterResultSeconds): stopped; judged by its result`,
    );
  return {
    end,
    usage,
    subagents,
    sessionId: observer.sessionId,
    apiKeySource: observer.apiKeySource,
    reason: callEndReason({
      end,
      budgetStopped: budget?.stopped ?? false,
      interrupted: ctx.signal.aborted,
      resultArrived: observer.resultArrived,
      resultIsError: observer.resultIsError,
      usageLimited: usageLimit.limit !== undefined,
    }),
    usageLimit: usageLimit.limit,
  };
}
