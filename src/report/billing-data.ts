import {
  COMPARED_FIELDS,
  type BilledCounts,
  type BillingRecord,
  type BillingStatus,
  type BillingWindow,
  type ComparedCounts,
} from '../state/billing-record.js';

export interface BillingModelRow {
  model: string;
  /** What the state held when it was checked: billed − difference. */
  recorded: ComparedCounts;
  billed: BilledCounts;
  difference: ComparedCounts;
}

/** The last `reconcile` of a task or sequence, as `status` shows it. */
export interface BillingData {
  status: BillingStatus;
  checkedAt: string;
  apiKeyId: string;
  window: BillingWindow;
  sharedWith: string[];
  models: BillingModelRow[];
}

const none: BilledCounts = {
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheCreation5mInputTokens: 0,
  cacheCreation1hInputTokens: 0,
  cacheReadInputTokens: 0,
};
const zero = Object.fromEntries(COMPARED_FIELDS.map((f) => [f, 0])) as ComparedCounts;

export function billingData(record: BillingRecord | undefined): BillingData | null {
  if (!record) return null;
  const models = [...new Set([...Object.keys(record.billed), ...Object.keys(record.difference)])].sort();
  return {
    status: record.status,
    checkedAt: record.checkedAt,
    apiKeyId: record.apiKeyId,
    window: record.window,
    sharedWith: record.sharedWith ?? [],
    models: models.map((model) => {
      const billed = record.billed[model] ?? none;
      const difference = record.difference[model] ?? zero;
      const recorded = Object.fromEntries(COMPARED_FIELDS.map((f) => [f, billed[f] - difference[f]])) as ComparedCounts;
      return { model, recorded, billed, difference };
    }),
  };
}
