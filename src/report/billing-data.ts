import type { z } from 'zod';
import type { BillingDataSchema } from './output-schemas.js';
import { emptyCounts } from '../usage/math.js';
import { COMPARED_FIELDS, type BillingRecord, type ComparedCounts } from '../state/billing-record.js';
import { billingVerdict } from './billing-verdict.js';

/** The counts compared, the cache write's split included (a record written before the split was compared reads it as 0). */
const FIELDS = [...COMPARED_FIELDS, 'cacheCreation5mInputTokens', 'cacheCreation1hInputTokens'] as const;
type AllCounts = Required<ComparedCounts>;

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
      const billed = { webSearchRequests: 0, ...(record.billed[model] ?? emptyCounts()) };
      const difference = Object.fromEntries(FIELDS.map((f) => [f, record.difference[model]?.[f] ?? 0])) as AllCounts;
      const recorded = Object.fromEntries(FIELDS.map((f) => [f, billed[f] - difference[f]])) as AllCounts;
      return { model, recorded, billed, difference };
    }),
  };
}
