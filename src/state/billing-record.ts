import type { z } from 'zod';
import { choice, count, keyed, list, num, record, text, timestamp } from '../declare/rules.js';

/** What `reconcile` concluded for a task, a sequence, or the whole run it was asked about. */
export const BILLING_STATUSES = ['verified', 'mismatch', 'pending', 'shared-window'] as const;

/**
 * Token counts as the Admin API bills them, for one model. The cache write is kept as the API
 * splits it (5-minute and 1-hour) beside its sum.
 */
export const BilledCountsSchema = record({
  inputTokens: count(),
  outputTokens: count(),
  cacheCreationInputTokens: count(),
  cacheCreation5mInputTokens: count(),
  cacheCreation1hInputTokens: count(),
  cacheReadInputTokens: count(),
});

/** The counts recorded and billed are compared on. */
export const COMPARED_FIELDS = ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens'] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

/** billed − recorded, per count: positive when more was billed than recorded. */
export const DifferenceSchema = record({
  inputTokens: num({ integer: true }),
  outputTokens: num({ integer: true }),
  cacheCreationInputTokens: num({ integer: true }),
  cacheReadInputTokens: num({ integer: true }),
});
export type ComparedCounts = z.infer<typeof DifferenceSchema>;

export type BillingStatus = (typeof BILLING_STATUSES)[number];
export type BilledCounts = z.infer<typeof BilledCountsSchema>;

/** The `billing` field of a task or sequence state file. It never touches the recorded usage. */
export const BillingRecordSchema = record({
  status: choice(BILLING_STATUSES),
  checkedAt: timestamp(),
  apiKeyId: text(),
  /** A minute-aligned UTC time range: start inclusive, end exclusive. */
  window: record({ start: timestamp(), end: timestamp() }),
  billed: keyed(BilledCountsSchema),
  difference: keyed(DifferenceSchema),
  /** Admin API requests this check made. */
  reads: count(),
  /** For a shared-window task: the tasks whose minutes it shares. */
  sharedWith: list(text()).optional(),
});
export type BillingRecord = z.infer<typeof BillingRecordSchema>;

/** A minute-aligned UTC time range: start inclusive, end exclusive. */
export type BillingWindow = BillingRecord['window'];
