import { splitOf } from '../../usage/math.js';
import type { ModelTokenUsage, TokenCounts } from '../../usage/types.js';
import { COMPARED_FIELDS, type BilledCounts, type ComparedCounts } from '../types.js';

/** The cache write's split by time-to-live, compared beside the four counts. */
export const SPLIT_FIELDS = ['cacheCreation5mInputTokens', 'cacheCreation1hInputTokens'] as const;
const ALL_FIELDS = [...COMPARED_FIELDS, ...SPLIT_FIELDS] as const;

export interface Comparison {
  /** billed − recorded for every model either side has (all-zero rows left out). */
  difference: Record<string, ComparedCounts>;
  billedHigher: boolean;
  billedLower: boolean;
}

/** billed − recorded for one model, the cache write's 5m/1h split included. */
export function differenceOf(recorded: TokenCounts | undefined, billed: BilledCounts | undefined): Required<ComparedCounts> {
  const ours = recorded ? { ...recorded, ...splitOf(recorded) } : undefined;
  return Object.fromEntries(ALL_FIELDS.map((field) => [field, (billed?.[field] ?? 0) - (ours?.[field] ?? 0)])) as Required<ComparedCounts>;
}

/**
 * Recorded usage against billed counts, per model (both keyed by one name per model) and
 * compared count. A different 5m/1h split of the same cache writes is a difference: the two
 * are priced differently.
 */
export function compareWithBill(recorded: ModelTokenUsage, billed: Record<string, BilledCounts>): Comparison {
  const difference: Record<string, ComparedCounts> = {};
  let billedHigher = false;
  let billedLower = false;
  for (const model of new Set([...Object.keys(recorded), ...Object.keys(billed)])) {
    const diff = differenceOf(recorded[model], billed[model]);
    if (ALL_FIELDS.every((field) => diff[field] === 0)) continue;
    difference[model] = diff;
    if (ALL_FIELDS.some((field) => diff[field] > 0)) billedHigher = true;
    if (ALL_FIELDS.some((field) => diff[field] < 0)) billedLower = true;
  }
  return { difference, billedHigher, billedLower };
}

/**
 * verified: billed equals recorded everywhere. mismatch: billed is higher anywhere (nothing
 * arriving late explains more), or still lower `settleMinutes` after the window ended.
 * pending: lower (or absent) while the provider's data may still be arriving.
 */
export function decideStatus(
  comparison: Comparison,
  windowEnd: string,
  now: number,
  settleMinutes: number,
): 'verified' | 'mismatch' | 'pending' {
  if (comparison.billedHigher) return 'mismatch';
  if (!comparison.billedLower) return 'verified';
  return settled(windowEnd, now, settleMinutes) ? 'mismatch' : 'pending';
}

/** True once `settleMinutes` have passed since the window ended. */
export function settled(windowEnd: string, now: number, settleMinutes: number): boolean {
  return now - Date.parse(windowEnd) >= settleMinutes * 60_000;
}
