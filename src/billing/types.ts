export {
  COMPARED_FIELDS,
  type BilledCounts,
  type BillingRecord,
  type BillingStatus,
  type BillingWindow,
  type ComparedCounts,
  type ComparedField,
} from '../state/billing-record.js';
import type { BilledCounts, BillingStatus } from '../state/billing-record.js';

/** The overall outcome of one `reconcile`; `skipped`: no admin key, nothing was checked. */
export type ReconcileStatus = Exclude<BillingStatus, 'shared-window'> | 'skipped';

/** One minute bucket of the usage report, filtered to one API key, per model. */
export interface UsageBucket {
  startingAt: string;
  endingAt: string;
  models: Record<string, BilledCounts>;
}
