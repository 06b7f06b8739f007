import type { z } from 'zod';
import { choice, count, keyed, list, num, record, text, timestamp } from '../declare/rules.js';

/**
 * What `reconcile` concluded for a task, a sequence, or the whole run it was asked about.
 * `not-billed`: Claude Code said the runs were not billed to an API key (a subscription login).
 */
export const BILLING_STATUSES = ['verified', 'mismatch', 'pending', 'shared-window', 'not-billed'] as const;

/** Why billed and recorded differ, as far as the numbers tell (see docs/reconcile.md). */
export const DIFFERENCE_CAUSES = [
  'other-client',
  'not-settled',
  'missing-from-bill',
  'cache-ttl',
  'cost-multiplier',
  'web-search',
] as const;
export type DifferenceCause = (typeof DIFFERENCE_CAUSES)[number];

export const CauseSchema = record({
  cause: choice(DIFFERENCE_CAUSES),
  /** The model it concerns; absent when it concerns them all. */
  model: text().optional(),
  explanation: text(),
});
export type Cause = z.infer<typeof CauseSchema>;

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
  /** Server-side web search requests (the usage report's `server_tool_use`); older records have none. */
  webSearchRequests: count().optional(),
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
  /** The cache write's split by time-to-live; older records have none. */
  cacheCreation5mInputTokens: num({ integer: true }).optional(),
  cacheCreation1hInputTokens: num({ integer: true }).optional(),
});
export type ComparedCounts = z.infer<typeof DifferenceSchema>;

export type BillingStatus = (typeof BILLING_STATUSES)[number];
export type BilledCounts = z.infer<typeof BilledCountsSchema>;

/** The `billing` field of a task or sequence state file. It never touches the recorded usage. */
export const BillingRecordSchema = record({
  status: choice(BILLING_STATUSES),
  checkedAt: timestamp(),
  /** Absent for `not-billed`, which needs no key. */
  apiKeyId: text().optional(),
  /** A minute-aligned UTC time range: start inclusive, end exclusive. */
  window: record({ start: timestamp(), end: timestamp() }),
  billed: keyed(BilledCountsSchema),
  difference: keyed(DifferenceSchema),
  /** Admin API requests this check made. */
  reads: count(),
  /** For a shared-window task: the tasks whose minutes it shares. */
  sharedWith: list(text()).optional(),
  /** Why billed and recorded differ, when they do. */
  causes: list(CauseSchema).optional(),
  /** Per model (one name per model, see canonicalModel): the names Claude Code and the usage report used. */
  seenAs: keyed(list(text())).optional(),
});
export type BillingRecord = z.infer<typeof BillingRecordSchema>;

/** A minute-aligned UTC time range: start inclusive, end exclusive. */
export type BillingWindow = BillingRecord['window'];
