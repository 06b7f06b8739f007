import { isAssistant, isResult, isSystem, type StreamEvent } from '../claude/stream-events.js';
import { readTranscriptUsage } from '../claude/transcript.js';
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

  /** `sessionId`: the one we chose for the call, if any; the stream's `init` line has the last word. */
  constructor(
    prices: PriceTable,
    public sessionId?: string,
  ) {
    this.usage = new CallUsageAccumulator(prices);
  }

  observe(event: StreamEvent): void {
    if (isAssistant(event)) {
      const { id, model, usage } = event.message;
      if (id && model) this.usage.recordMessage(id, model, usage);
    } else if (isResult(event)) {
      this.resultArrived = true;
      this.resultIsError = event.is_error === true;
      this.usage.recordResult(event.modelUsage);
    } else if (isSystem(event) && event.subtype === 'init') {
      if (event.session_id) this.sessionId = event.session_id;
      if (event.apiKeySource) this.apiKeySource = event.apiKeySource;
    }
  }

  /**
   * The call's usage: billed (result) if it came; else, from Claude Code's session transcript
   * for the call's working folder; else the stream estimate.
   */
  async settle(env: NodeJS.ProcessEnv, cwd: string): Promise<CallUsage> {
    const transcript = !this.usage.hasBilledResult() && this.sessionId ? await readTranscriptUsage(env, cwd, this.sessionId) : undefined;
    return this.usage.settle(transcript);
  }
}
