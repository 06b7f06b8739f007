import { addBilled, emptyBilled } from '../billed-counts.js';
import type { BilledCounts, BillingWindow, UsageBucket } from '../types.js';

/** Per model, the sum over the buckets that lie inside `window` (a page may hold more). */
export function sumBuckets(buckets: UsageBucket[], window: BillingWindow): Record<string, BilledCounts> {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  const total: Record<string, BilledCounts> = {};
  for (const bucket of buckets) {
    if (Date.parse(bucket.startingAt) < start || Date.parse(bucket.startingAt) >= end) continue;
    for (const [model, counts] of Object.entries(bucket.models)) total[model] = addBilled(total[model] ?? emptyBilled(), counts);
  }
  return total;
}
