import { countsFromApi, SYNTHETIC_MODEL, type ApiUsage, type BilledModelUsage } from './from-raw.js';
import { isEmptyOrZero } from './math.js';
import { priceBilled, priceMessages, type MessageCounts } from './price-usage.js';
import type { PriceTable } from './pricing.js';
import { ALL_COUNT_FIELDS, type ModelTokenUsage, type UsageSource } from './types.js';

export interface CallUsage {
  usage: ModelTokenUsage;
  source: UsageSource;
}

/**
 * The usage of one `claude` call. While streaming it keeps one snapshot per message id — Claude
 * Code prints one event per content block, repeating the message's usage, so adding them would
 * count a message several times. The result's `modelUsage` replaces the counts of all of that.
 */
export class CallUsageAccumulator {
  private readonly messages = new Map<string, MessageCounts>();
  private billed: Record<string, BilledModelUsage> | undefined;
  /** The last estimate, until a message's counts change: every content block repeats its message. */
  private estimated: ModelTokenUsage | undefined;

  constructor(private readonly prices: PriceTable) {}

  /** A message snapshot from an `assistant` event; a later snapshot of the same id replaces it. */
  recordMessage(messageId: string, model: string, usage: ApiUsage | undefined): void {
    if (model === SYNTHETIC_MODEL) return;
    const counts = countsFromApi(usage);
    const before = this.messages.get(messageId);
    if (before?.model === model && ALL_COUNT_FIELDS.every((field) => before.counts[field] === counts[field])) return;
    this.messages.set(messageId, { model, counts });
    this.estimated = undefined;
  }

  /** `result.modelUsage`. An empty or all-zero one is kept out: the CLI zeroes it on some crashes. */
  recordResult(modelUsage: Record<string, BilledModelUsage> | undefined): void {
    const billed = modelUsage ?? {};
    this.billed = isEmptyOrZero(priceBilled(billed, [], this.prices)) ? undefined : billed;
  }

  hasBilledResult(): boolean {
    return this.billed !== undefined;
  }

  /** The live estimate: one snapshot per message, per model. */
  estimate(): ModelTokenUsage {
    this.estimated ??= priceMessages([...this.messages.values()], this.prices);
    return this.estimated;
  }

  /**
   * What this call cost: billed if the result said so, else the transcript's messages, else the
   * estimate; `none` when none of them shows a token.
   */
  settle(transcript?: MessageCounts[]): CallUsage {
    if (this.billed) return { usage: priceBilled(this.billed, [...this.messages.values()], this.prices), source: 'result' };
    const fromTranscript = transcript && priceMessages(transcript, this.prices);
    if (fromTranscript && !isEmptyOrZero(fromTranscript)) return { usage: fromTranscript, source: 'transcript' };
    const estimate = this.estimate();
    if (isEmptyOrZero(estimate)) return { usage: {}, source: 'none' };
    return { usage: estimate, source: 'estimate' };
  }
}
