import type { z } from 'zod';
import type { BillingDataSchema } from './output-schemas.js';
import { emptyCounts } from '../usage/math.js';
import { COMPARED_FIELDS, type BillingRecord, type ComparedCounts } from '../state/billing-record.js';
import { billingVerdict } from './billing-verdict.js';

const zero = Object.fromEntries(COMPARED_FIELDS.map((f) => [f, 0])) as ComparedCounts;

/** The last `reconcile` of a task or sequence, as `status` shows it. */
export type BillingData = z.infer<typeof BillingDataSchema>;

export function billingData(record: BillingRecord | undefined): BillingData | null {
  if (!record) return null;
  const models = [...new Set([...Object.keys(record.billed), ...Object.keys(record.difference)])].sort();
  return {
    status: record.status,
    verdict: billingVerdict(record.status, record.causes ?? [], record.sharedWith ?? []),
    causes: (record.causes ?? []).map((c) => ({ cause: c.cause, model: c.model ?? null, explanation: c.explanation })),
    checkedAt: record.checkedAt,
    apiKeyId: record.apiKeyId ?? null,
    window: record.window,
    sharedWith: record.sharedWith ?? [],
    models: models.map((model) => {
      const billed = record.billed[model] ?? emptyCounts();
      const difference = record.difference[model] ?? zero;
      const recorded = Object.fromEntries(COMPARED_FIELDS.map((f) => [f, billed[f] - difference[f]])) as ComparedCounts;
      return { model, recorded, billed, difference };
    }),
  };
}
