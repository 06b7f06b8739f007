import type { PipelineEvent } from '../pipeline/events.js';
import type { TokenUsage } from '../usage/types.js';

/** An attempt's end as this run saw it, or as it recovered one a killed run never finished recording. */
export type AttemptEnd = Extract<PipelineEvent, { type: 'attempt-end' | 'attempt-recovered' }>;

/** The counters exported, by key; each is created once per process. */
export const METRICS = {
  tokens: { name: 'claude_project.tokens', unit: '{token}', description: 'Tokens used, by model and type', integer: true },
  costUsd: {
    name: 'claude_project.cost_usd',
    unit: 'USD',
    description: 'Cost of the tokens used: useful for the attempt that passed, waste for every other',
    integer: false,
  },
  unpricedTokens: {
    name: 'claude_project.unpriced_tokens',
    unit: '{token}',
    description: 'Tokens of models no price source knows: their cost is in no claude_project.cost_usd',
    integer: true,
  },
  attempts: { name: 'claude_project.attempts', unit: '{attempt}', description: 'Claude calls, by outcome', integer: true },
} as const;

export type MetricKey = keyof typeof METRICS;

export interface Measurement {
  metric: MetricKey;
  value: number;
  attributes: Record<string, string>;
}

/** The `type` attribute of claude_project.tokens, and the count it takes. */
const TOKEN_TYPES: ReadonlyArray<readonly [string, (usage: TokenUsage) => number]> = [
  ['input', (u) => u.inputTokens],
  ['output', (u) => u.outputTokens],
  ['cache_write_5m', (u) => u.cacheCreation5mInputTokens],
  ['cache_write_1h', (u) => u.cacheCreation1hInputTokens],
  ['cache_read', (u) => u.cacheReadInputTokens],
];

/**
 * What one finished attempt adds to the counters. A model without a price adds no cost (not a
 * cost of 0): its tokens go to claude_project.unpriced_tokens instead. Counts of 0 add nothing.
 */
export function attemptMeasurements(event: AttemptEnd, shard: string | undefined): Measurement[] {
  const where = { task: event.taskName, step: event.step, ...(shard !== undefined && { shard }) };
  const measurements: Measurement[] = [{ metric: 'attempts', value: 1, attributes: { ...where, outcome: event.outcome } }];
  for (const [model, usage] of Object.entries(event.usage)) {
    const counts = TOKEN_TYPES.map(([type, count]) => ({ type, value: count(usage) })).filter(({ value }) => value > 0);
    for (const { type, value } of counts) measurements.push({ metric: 'tokens', value, attributes: { ...where, model, type } });
    if (usage.costUsd === null) {
      for (const { type, value } of counts) measurements.push({ metric: 'unpricedTokens', value, attributes: { ...where, model, type } });
    } else if (usage.costUsd > 0) {
      const kind = event.outcome === 'passed' ? 'useful' : 'waste';
      measurements.push({ metric: 'costUsd', value: usage.costUsd, attributes: { ...where, model, kind } });
    }
  }
  return measurements;
}
