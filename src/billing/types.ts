/** What `reconcile` concluded for a task, a sequence, or the whole run it was asked about. */
export type BillingStatus = 'verified' | 'mismatch' | 'pending' | 'shared-window';

/** The overall outcome of one `reconcile`; `skipped`: no admin key, nothing was checked. */
export type ReconcileStatus = Exclude<BillingStatus, 'shared-window'> | 'skipped';

/**
 * Token counts as the Admin API bills them, for one model. The cache write is kept as the
 * API splits it (5-minute and 1-hour) beside its sum, which is what the state records today.
 */
export interface BilledCounts {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheCreation5mInputTokens: number;
  cacheCreation1hInputTokens: number;
  cacheReadInputTokens: number;
}

/** The counts recorded and billed are compared on (the split is compared once the state records it). */
export const COMPARED_FIELDS = ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens'] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];
export type ComparedCounts = Record<ComparedField, number>;

/** A minute-aligned UTC time range: start inclusive, end exclusive. */
export interface BillingWindow {
  start: string;
  end: string;
}

/** The `billing` field of a task or sequence state file. Never touches the recorded usage. */
export interface BillingRecord {
  status: BillingStatus;
  checkedAt: string;
  apiKeyId: string;
  window: BillingWindow;
  billed: Record<string, BilledCounts>;
  /** billed − recorded, per model and count (positive: billed more than recorded). */
  difference: Record<string, ComparedCounts>;
  /** Admin API requests this check made. */
  reads: number;
  /** For a shared-window task: the tasks whose minutes it shares. */
  sharedWith?: string[];
}

/** One minute bucket of the usage report, filtered to one API key, per model. */
export interface UsageBucket {
  startingAt: string;
  endingAt: string;
  models: Record<string, BilledCounts>;
}
