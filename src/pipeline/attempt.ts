import { claudeArgs, runClaude, type ClaudeCallEnd } from '../claude/run-claude.js';
import { RateLimitDetector } from '../claude/rate-limit.js';
import { formatEvent } from '../claude/readable-log.js';
import { isAssistant, isResult, isSystem, type StreamEvent } from '../claude/stream-events.js';
import { readTranscriptUsage } from '../claude/transcript.js';
import { CallUsageAccumulator, type CallUsage } from '../usage/call-usage.js';
import type { RunContext } from './context.js';
import type { StepLog } from './step-log.js';

export interface AttemptCall {
  taskName: string;
  step: string;
  attempt: number;
  model: string;
  prompt: string;
  timeoutSeconds: number | undefined;
  log: StepLog;
}

export interface ClaudeAttemptEnd {
  end: ClaudeCallEnd;
  usage: CallUsage;
  sessionId: string | undefined;
  /** The result event said is_error, or none arrived. */
  resultIsError: boolean;
  resultArrived: boolean;
  rateLimit: { resetsAtMs: number | undefined } | undefined;
}

const USAGE_REPORT_INTERVAL_MS = 1000;

/** One `claude` call of a step: streaming into the logs, accounting, and settling its usage. */
export async function runClaudeAttempt(ctx: RunContext, call: AttemptCall): Promise<ClaudeAttemptEnd> {
  const { config } = ctx;
  const accumulator = new CallUsageAccumulator();
  const rateLimit = new RateLimitDetector(ctx.now);
  let sessionId: string | undefined;
  let resultArrived = false;
  let resultIsError = false;
  let lastUsageReport = 0;

  const onEvent = (event: StreamEvent): void => {
    if (isAssistant(event)) {
      const { id, model, usage } = event.message;
      if (id && model) accumulator.recordMessage(id, model, usage);
    } else if (isResult(event)) {
      resultArrived = true;
      resultIsError = event.is_error === true;
      accumulator.recordResult(event.modelUsage);
    } else if (isSystem(event) && event.subtype === 'init' && event.session_id) {
      sessionId = event.session_id;
    }
    rateLimit.observe(event);
    const text = formatEvent(event);
    if (text) call.log.write(text);
    if (isAssistant(event) && ctx.now() - lastUsageReport >= USAGE_REPORT_INTERVAL_MS) {
      lastUsageReport = ctx.now();
      ctx.report({ type: 'attempt-usage', taskName: call.taskName, step: call.step, attempt: call.attempt, usage: accumulator.estimate() });
    }
  };

  const args = claudeArgs(call.model, config.claude.args);
  call.log.write(`$ ${[config.claude.command, ...args].join(' ')}  (prompt on stdin, ${call.prompt.length} characters)`);
  const end = await runClaude({
    command: config.claude.command,
    args,
    prompt: call.prompt,
    cwd: config.rootDir,
    env: ctx.env,
    ...(call.timeoutSeconds !== undefined && { timeoutMs: call.timeoutSeconds * 1000 }),
    signal: ctx.signal,
    rawLog: call.log.raw,
    backpressureFrom: [call.log.readable],
    onEvent,
    onMalformedLine: (reason, preview) => call.log.write(`[malformed line: ${reason}] ${preview}`),
  });

  // Without a billed result, Claude Code's own transcript holds each finished message's usage.
  const transcript =
    !accumulator.hasBilledResult() && sessionId
      ? await readTranscriptUsage(ctx.env, config.rootDir, sessionId)
      : undefined;
  if (end.stderrTail.trim()) call.log.write(`[stderr] ${end.stderrTail.trim()}`);
  return {
    end,
    usage: accumulator.settle(transcript),
    sessionId,
    resultIsError: resultIsError || !resultArrived,
    resultArrived,
    rateLimit: rateLimit.limit,
  };
}
