import { formatCount } from '../../format/format-usage.js';
import { splitOf } from '../../usage/math.js';
import type { TokenCounts } from '../../usage/types.js';
import type { Cause } from '../../state/billing-record.js';
import type { BilledCounts } from '../types.js';
import { differenceOf, settled } from './decide.js';

export interface ModelToExplain {
  model: string;
  recorded: TokenCounts | undefined;
  billed: BilledCounts | undefined;
}

export interface CostToExplain {
  model: string;
  billedUsd: number;
  recordedCostUsd: number | null;
}

export interface ExplainInput {
  models: ModelToExplain[];
  windowEnd: string;
  now: number;
  settleMinutes: number;
  /** The cost report's billed USD beside the recorded cost, per model, when it answered. */
  costs?: CostToExplain[];
}

const TOTALS = [
  ['inputTokens', 'input'],
  ['outputTokens', 'output'],
  ['cacheCreationInputTokens', 'cache write'],
  ['cacheReadInputTokens', 'cache read'],
] as const;

const signed = (n: number): string => (n > 0 ? `+${formatCount(n)}` : `-${formatCount(-n)}`);
const minutes = (n: number): string => `${n} minute${n === 1 ? '' : 's'}`;

/** How far a constant cost factor may wander across models (rounding of the report's cents). */
const FACTOR_TOLERANCE = 0.01;

/**
 * Why billed and recorded differ, from the numbers alone: more billed is another client of
 * the key; less billed is data not in yet (inside the settle time) or missing from the bill;
 * the same cache writes split otherwise between 5m and 1h is a TTL difference; web search
 * requests are billed per request beside the tokens; equal tokens at a cost that differs by one
 * factor for every model is a price multiplier (data residency, fast mode).
 */
export function findCauses(input: ExplainInput): Cause[] {
  const causes: Cause[] = [];
  const waited = Math.floor((input.now - Date.parse(input.windowEnd)) / 60_000);
  for (const { model, recorded, billed } of input.models) {
    const diff = differenceOf(recorded, billed);
    const changed = TOTALS.filter(([field]) => diff[field] !== 0);
    const higher = changed.filter(([field]) => diff[field] > 0).map(([field, label]) => `${signed(diff[field])} ${label}`);
    const lower = changed.filter(([field]) => diff[field] < 0).map(([field, label]) => `${signed(diff[field])} ${label}`);
    if (higher.length > 0) {
      causes.push({
        cause: 'other-client',
        model,
        explanation: `billed more than recorded (${higher.join(', ')}): another client of the key (you, a script, another tool) used it in these minutes`,
      });
    }
    if (lower.length > 0) {
      causes.push(
        settled(input.windowEnd, input.now, input.settleMinutes)
          ? {
              cause: 'missing-from-bill',
              model,
              explanation: `billed less than recorded (${lower.join(', ')}) ${minutes(waited)} after the window ended (settleMinutes ${input.settleMinutes}): usage missing from this key's bill, or billed to another key`,
            }
          : {
              cause: 'not-settled',
              model,
              explanation: `billed less than recorded (${lower.join(', ')}): the usage report may not have it yet (the window ended ${minutes(waited)} ago; it is awaited for settleMinutes, ${input.settleMinutes})`,
            },
      );
    }
    const ours = recorded && splitOf(recorded);
    if (diff.cacheCreationInputTokens === 0 && diff.cacheCreation1hInputTokens !== 0 && ours && billed) {
      causes.push({
        cause: 'cache-ttl',
        model,
        explanation:
          `the same ${formatCount(billed.cacheCreationInputTokens)} cache-write tokens were billed as 5m ${formatCount(billed.cacheCreation5mInputTokens)} + 1h ${formatCount(billed.cacheCreation1hInputTokens)} ` +
          `but recorded as 5m ${formatCount(ours.cacheCreation5mInputTokens)} + 1h ${formatCount(ours.cacheCreation1hInputTokens)}: a cache TTL difference (a 1-hour write costs 2× input, a 5-minute one 1.25×)`,
      });
    }
    const searches = billed?.webSearchRequests ?? 0;
    if (searches > 0) {
      causes.push({
        cause: 'web-search',
        model,
        explanation: `${formatCount(searches)} web search request(s) billed (server_tool_use): priced per request, beside the tokens; claude-project does not record them`,
      });
    }
  }
  const factor = costFactorCause(input);
  if (factor) causes.push(factor);
  return causes;
}

/** Equal tokens for every model, and billed USD / recorded USD one factor other than 1 for all of them. */
export function costFactorCause(input: Pick<ExplainInput, 'models' | 'costs'>): Cause | undefined {
  const tokensEqual = new Set(
    input.models
      .filter(({ recorded, billed }) => Object.values(differenceOf(recorded, billed)).every((d) => d === 0))
      .map(({ model }) => model),
  );
  const ratios = (input.costs ?? [])
    .filter((c) => tokensEqual.has(c.model) && c.recordedCostUsd !== null && c.recordedCostUsd > 0 && c.billedUsd > 0)
    .map((c) => ({ model: c.model, ratio: c.billedUsd / c.recordedCostUsd! }));
  if (ratios.length === 0) return undefined;
  const first = ratios[0]!.ratio;
  if (Math.abs(first - 1) <= FACTOR_TOLERANCE) return undefined;
  if (ratios.some((r) => Math.abs(r.ratio - first) > FACTOR_TOLERANCE * first)) return undefined;
  return {
    cause: 'cost-multiplier',
    explanation: `the same tokens cost ${first.toFixed(2)}× the recorded price in the cost report (${ratios.map((r) => r.model).join(', ')}): a price multiplier such as data residency (inference_geo) or fast mode (speed), which the price table does not include`,
  };
}
