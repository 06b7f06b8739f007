import { addCounts, emptyCounts } from '../usage/math.js';
import type { BilledCounts } from './types.js';

export function emptyBilled(): BilledCounts {
  return emptyCounts() as BilledCounts;
}

/** The sum of two billed counts, web search requests included when either has some. */
export function addBilled(a: BilledCounts, b: BilledCounts): BilledCounts {
  const searches = (a.webSearchRequests ?? 0) + (b.webSearchRequests ?? 0);
  return { ...(addCounts(a, b) as BilledCounts), ...(searches > 0 && { webSearchRequests: searches }) };
}
