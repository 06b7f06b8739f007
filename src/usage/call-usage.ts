import { SYNTHETIC_MODEL, usageFromApi, usageFromModelUsage, type ApiUsage, type BilledModelUsage } from './from-raw.js';
import { isEmptyOrZero, sumModelUsage } from './math.js';
import type { ModelTokenUsage, TokenUsage, UsageSource } from './types.js';

export interface CallUsage {
  usage: ModelTokenUsage;
  source: UsageSource;
}

/**
 * The usage of one `claude` call (DESIGN §4). While streaming it keeps one snapshot per message
 * id — Claude Code prints one event per content block, repeating the message's usage, so adding
 * them would count a message several times. The result's `modelUsage` replaces all of that.
 */
export class CallUsageAccumulator {
  private readonly messages = new Map<string, { model: string; usage: TokenUsage }>();
  private billed: ModelTokenUsage | undefined;
  private resultArrived = false;

  /** A message snapshot from an `assistant` event; a later snapshot of the same id replaces it. */
  recordMessage(messageId: string, model: string, usage: ApiUsage | undefined): void {
    if (model === SYNTHETIC_MODEL) return;
    this.messages.set(messageId, { model, usage: usageFromApi(model, usage) });
  }

  /** `result.modelUsage`. An empty or all-zero one is kept out: the CLI zeroes it on some crashes. */
  recordResult(modelUsage: Record<string, BilledModelUsage> | undefined): void {
    this.resultArrived = true;
    const usage = usageFromModelUsage(modelUsage);
    this.billed = isEmptyOrZero(usage) ? undefined : usage;
  }

  hasBilledResult(): boolean {
    return this.billed !== undefined;
  }

  /** The live estimate: one snapshot per message, per model. */
  estimate(): ModelTokenUsage {
    return sumModelUsage(...[...this.messages.values()].map(({ model, usage }) => ({ [model]: usage })));
  }

  /** What this call cost: billed if the result said so, else the transcript's, else the estimate. */
  settle(transcriptUsage?: ModelTokenUsage): CallUsage {
    if (this.billed) return { usage: this.billed, source: 'result' };
    if (transcriptUsage && !isEmptyOrZero(transcriptUsage)) return { usage: transcriptUsage, source: 'transcript' };
    const estimate = this.estimate();
    // A run that failed before any request (bad flag, no credentials) really cost nothing.
    if (this.resultArrived && isEmptyOrZero(estimate)) return { usage: {}, source: 'result' };
    return { usage: estimate, source: 'estimate' };
  }
}
