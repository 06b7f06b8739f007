import { isAssistant, isPartialMessage, isResult, isSystem, type PartialMessageEvent, type StreamEvent } from '../claude/stream-events.js';
import { readSubagentCacheWrites1h, readSubagentTranscripts, readTranscriptUsage } from '../claude/transcript.js';
import type { SubagentUsage } from '../state/subagent-record.js';
import { priceMessages } from '../usage/price-usage.js';
import { CallUsageAccumulator, type CallUsage } from '../usage/call-usage.js';
import type { PriceTable } from '../usage/pricing.js';

/**
 * What one claude call's stream says about its accounting: usage (per message id, then the
 * result's modelUsage), the session id (for transcript recovery) and whether a result came.
 * Used live while streaming and again when a raw log is replayed, so both count alike.
 */
export class CallObserver {
  readonly usage: CallUsageAccumulator;
  resultArrived = false;
  resultIsError = false;
  /** The init line's `apiKeySource`: what Claude Code bills the call to. */
  apiKeySource: string | undefined;
  /** Each subagent call the stream announced (`task_started`), by its task id: the Task tool use it serves, its type. */
  private readonly subagentCalls = new Map<string, { toolUseId: string | undefined; subagentType: string | undefined }>();
  /** The message each stream of partial events is in (2.1.197 names it only at message_start). */
  private readonly partialMessage = new Map<string, string>();

  /** `sessionId`: the one we chose for the call, if any; the stream's `init` line has the last word. */
  constructor(
    private readonly prices: PriceTable,
    public sessionId?: string,
  ) {
    this.usage = new CallUsageAccumulator(prices);
  }

  observe(event: StreamEvent): void {
    if (isAssistant(event)) {
      const { id, model, usage } = event.message;
      if (id && model) this.usage.recordMessage(id, model, usage);
    } else if (isPartialMessage(event)) {
      this.observePartial(event);
    } else if (isResult(event)) {
      this.resultArrived = true;
      this.resultIsError = event.is_error === true;
      this.usage.recordResult(event.modelUsage, event.result_index);
    } else if (isSystem(event) && event.subtype === 'init') {
      if (event.session_id) this.sessionId = event.session_id;
      if (event.apiKeySource) this.apiKeySource = event.apiKeySource;
    } else if (isSystem(event) && event.subtype === 'task_started' && event.task_id) {
      this.subagentCalls.set(event.task_id, { toolUseId: event.tool_use_id, subagentType: event.subagent_type });
    }
  }

  /** `message_start` and `message_delta` of `--include-partial-messages`: a message's usage as it streams. */
  private observePartial(event: PartialMessageEvent): void {
    const partial = event.event;
    const stream = event.parent_tool_use_id ?? '';
    if (partial?.type === 'message_start') {
      const { id, model, usage } = partial.message ?? {};
      if (!id || !model) return;
      this.partialMessage.set(stream, id);
      this.usage.recordMessage(id, model, usage);
    } else if (partial?.type === 'message_delta') {
      const id = event.api_message_id ?? this.partialMessage.get(stream);
      const output = partial.usage?.output_tokens;
      if (id && output !== undefined) this.usage.recordOutput(id, output);
    }
  }

  /**
   * The call's usage: billed (result) if it came, its cache writes split with the help of the
   * subagents' transcripts when the stream does not show them all (or with `rawLogged1h`, the
   * split a raw log recorded); else, from Claude Code's session transcript for the call's
   * working folder; else the stream estimate.
   */
  async settle(env: NodeJS.ProcessEnv, cwd: string, rawLogged1h?: Record<string, number>): Promise<CallUsage> {
    if (this.usage.hasBilledResult()) {
      const split =
        rawLogged1h ??
        (this.sessionId && this.usage.needsCacheSplit() ? await readSubagentCacheWrites1h(env, cwd, this.sessionId) : undefined);
      return this.usage.settle(undefined, split);
    }
    const transcript = this.sessionId ? await readTranscriptUsage(env, cwd, this.sessionId) : undefined;
    return this.usage.settle(transcript);
  }

  /**
   * The call's subagents, each from its own transcript (`subagents/agent-<id>.jsonl`: every
   * message once, with its final counts, which the stream does not show), tied to the Task tool
   * use the stream's `task_started` named for it. Undefined when the call ran none that left a
   * transcript.
   */
  async subagents(env: NodeJS.ProcessEnv, cwd: string): Promise<SubagentUsage[] | undefined> {
    if (!this.sessionId) return undefined;
    const agents = await readSubagentTranscripts(env, cwd, this.sessionId);
    const called = agents.filter((agent) => agent.messages.length > 0);
    if (called.length === 0) return undefined;
    return called.map(({ agentId, messages }) => {
      const call = this.subagentCalls.get(agentId);
      return {
        toolUseId: call?.toolUseId ?? null,
        agentId,
        ...(call?.subagentType !== undefined && { subagentType: call.subagentType }),
        usage: priceMessages(messages, this.prices),
      };
    });
  }
}
