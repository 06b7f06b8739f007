import type { ModelTokenUsage } from '../../usage/types.js';
import { COMPARED_FIELDS, type BilledCounts, type ComparedCounts } from '../types.js';

export interface Comparison {
  /** billed − recorded for every model either side has (all-zero rows left out). */
  difference: Record<string, ComparedCounts>;
  billedHigher: boolean;
  billedLower: boolean;
}

const isZero = (counts: ComparedCounts): boolean => COMPARED_FIELDS.every((field) => counts[field] === 0);

/** Recorded usage against billed counts, per model and compared count. */
export function compareWithBill(recorded: ModelTokenUsage, billed: Record<string, BilledCounts>): Comparison {
  const difference: Record<string, ComparedCounts> = {};
  let billedHigher = false;
  let billedLower = false;
  for (const model of new Set([...Object.keys(recorded), ...Object.keys(billed)])) {
    const diff = Object.fromEntries(
      COMPARED_FIELDS.map((field) => [field, (billed[model]?.[field] ?? 0) - (recorded[model]?.[field] ?? 0)]),
    ) as ComparedCounts;
    if (isZero(diff)) continue;
    difference[model] = diff;
    if (COMPARED_FIELDS.some((field) => diff[field] > 0)) billedHigher = true;
    if (COMPARED_FIELDS.some((field) => diff[field] < 0)) billedLower = true;
  }
  return { difference, billedHigher, billedLower };
}

/**
 * verified: billed equals recorded everywhere. mismatch: billed is higher anywhere, or still
 * lower `settleMinutes` after the window ended. pending: lower (or absent) while the provider's
 * data may still be arriving.
 */
export function decideStatus(
  comparison: Comparison,
  windowEnd: string,
  now: number,
  settleMinutes: number,
): 'verified' | 'mismatch' | 'pending' {
  if (comparison.billedHigher) return 'mismatch';
  if (!comparison.billedLower) return 'verified';
  return now - Date.parse(windowEnd) >= settleMinutes * 60_000 ? 'mismatch' : 'pending';
}
