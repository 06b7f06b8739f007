import { countsFromApi, SYNTHETIC_MODEL, type ApiUsage, type BilledModelUsage } from './from-raw.js';
import { isEmptyOrZero, sumModelUsage } from './math.js';
import { oneHourWritesByModel, priceBilled, priceMessages, type MessageCounts } from './price-usage.js';
import type { PriceTable } from './pricing.js';
import { ALL_COUNT_FIELDS, type ModelTokenUsage, type TokenCounts, type UsageSource } from './types.js';

export interface CallUsage {
  usage: ModelTokenUsage;
  source: UsageSource;
  /**
   * The 1-hour cache writes per model that the subagents' transcripts showed, when they were
   * used to split a result's cache writes: marked in the raw log, so the raw log alone rebuilds the split.
   */
  cacheWrites1h?: Record<string, number>;
}

interface SeenMessage extends MessageCounts {
  /** How many results had arrived when the message was first seen. */
  resultsBefore: number;
}

interface Billed {
  modelUsage: Record<string, BilledModelUsage>;
  /** Its `result_index`, if it had one. */
  index: number | undefined;
  /** How many results had arrived with it (it included). */
  resultsSoFar: number;
}

/**
 * The usage of one `claude` call. While streaming it keeps one snapshot per message id — Claude
 * Code prints one event per content block, repeating the message's usage, so adding them would
 * count a message several times; a message's counts only grow, so a snapshot raises each count
 * to the larger of old and new (an `assistant` line after the message's `message_delta` still
 * says 1 output token). The result's cumulative `modelUsage` replaces the counts of all of that.
 */
export class CallUsageAccumulator {
  private readonly messages = new Map<string, SeenMessage>();
  private billed: Billed | undefined;
  private results = 0;
  /** The last estimate, until a message's counts change: every content block repeats its message. */
  private estimated: ModelTokenUsage | undefined;

  constructor(private readonly prices: PriceTable) {}

  /** A message snapshot (an `assistant` event, or a partial message's `message_start`). */
  recordMessage(messageId: string, model: string, usage: ApiUsage | undefined): void {
    if (model === SYNTHETIC_MODEL) return;
    this.raise(messageId, model, countsFromApi(usage));
  }

  /** A partial message's `message_delta`: the output of a message already started, so far. */
  recordOutput(messageId: string, outputTokens: number): void {
    const before = this.messages.get(messageId);
    if (before) this.raise(messageId, before.model, { ...before.counts, outputTokens });
  }

  private raise(messageId: string, model: string, counts: TokenCounts): void {
    const before = this.messages.get(messageId);
    if (before?.model === model) {
      if (ALL_COUNT_FIELDS.every((field) => before.counts[field] >= counts[field])) return;
      counts = Object.fromEntries(ALL_COUNT_FIELDS.map((field) => [field, Math.max(before.counts[field], counts[field])])) as TokenCounts;
    }
    this.messages.set(messageId, { model, counts, resultsBefore: before?.resultsBefore ?? this.results });
    this.estimated = undefined;
  }

  /**
   * A result's `modelUsage`, cumulative over the call: the latest one (by `result_index` when
   * results carry one, else by arrival) replaces any earlier. An empty or all-zero one is kept
   * out: the CLI zeroes it on some crashes.
   */
  recordResult(modelUsage: Record<string, BilledModelUsage> | undefined, resultIndex?: number): void {
    this.results++;
    const billed = modelUsage ?? {};
    if (isEmptyOrZero(priceBilled(billed, [], this.prices))) return;
    const current = this.billed?.index;
    if (resultIndex !== undefined && current !== undefined && resultIndex < current) return;
    this.billed = { modelUsage: billed, index: resultIndex, resultsSoFar: this.results };
  }

  hasBilledResult(): boolean {
    return this.billed !== undefined;
  }

  /** Whether a result leaves some cache writes of a model without a known split (see settle). */
  needsCacheSplit(): boolean {
    if (!this.billed) return false;
    const streamed = oneHourWritesByModel([...this.messages.values()]);
    return Object.entries(this.billed.modelUsage).some(
      ([model, billed]) =>
        billed.cacheCreationEphemeral1hInputTokens === undefined && (billed.cacheCreationInputTokens ?? 0) > (streamed[model] ?? 0),
    );
  }

  /** The live estimate: one snapshot per message, per model. */
  estimate(): ModelTokenUsage {
    this.estimated ??= priceMessages([...this.messages.values()], this.prices);
    return this.estimated;
  }

  /**
   * What this call cost, from the best source there is:
   * - the last result's modelUsage, its cache writes split by what the result itself, the
   *   stream or `subagentCacheWrites1h` (the subagents' transcripts) show as 1-hour; plus any
   *   message the stream began only after that result (a kill between two results);
   * - else the transcript's messages, plus those the stream shows that the transcript lacks (a
   *   message claude was still receiving when it stopped: the API billed it);
   * - else the stream's messages; `none` when none of them shows a token.
   */
  settle(transcript?: MessageCounts[], subagentCacheWrites1h?: Record<string, number>): CallUsage {
    const seen = [...this.messages.values()];
    if (this.billed) {
      const resultsSoFar = this.billed.resultsSoFar;
      const later = seen.filter((m) => m.resultsBefore >= resultsSoFar);
      const billed = priceBilled(this.billed.modelUsage, seen, this.prices, subagentCacheWrites1h);
      return {
        usage: later.length > 0 ? sumModelUsage(billed, priceMessages(later, this.prices)) : billed,
        source: 'result',
        ...(subagentCacheWrites1h && { cacheWrites1h: subagentCacheWrites1h }),
      };
    }
    if (transcript) {
      const known = new Set(transcript.map((m) => m.id));
      const inFlight = [...this.messages].filter(([id]) => !known.has(id)).map(([, m]) => m);
      const fromTranscript = priceMessages([...transcript, ...inFlight], this.prices);
      if (!isEmptyOrZero(fromTranscript)) return { usage: fromTranscript, source: 'transcript' };
    }
    const estimate = this.estimate();
    if (isEmptyOrZero(estimate)) return { usage: {}, source: 'none' };
    return { usage: estimate, source: 'estimate' };
  }
}
