import { emptyCounts } from '../../usage/math.js';
import type { z } from 'zod';
import type { ModelTokenUsage } from '../../usage/types.js';
import { RECONCILE_SCHEMA_VERSION, type ModelComparisonSchema, type ReconcileDocumentSchema } from './document-schema.js';

export { RECONCILE_SCHEMA_VERSION };
export type ModelComparison = z.infer<typeof ModelComparisonSchema>;
/** What `reconcile --json` prints (declared in document-schema.ts). */
export type ReconcileDocument = z.infer<typeof ReconcileDocumentSchema>;
import type { BillingCheck, GroupCheck } from '../check/check-billing.js';
import type { CostComparison } from '../cost-report/fetch-cost.js';
import { COMPARED_FIELDS, type ComparedCounts } from '../types.js';

function recordedCounts(usage: ModelTokenUsage, model: string): ComparedCounts {
  return Object.fromEntries(COMPARED_FIELDS.map((field) => [field, usage[model]?.[field] ?? 0])) as ComparedCounts;
}

/** One row per model either side has, recorded and billed side by side. */
export function modelComparisons(check: Pick<GroupCheck, 'recorded' | 'billed'>): ModelComparison[] {
  const models = [...new Set([...Object.keys(check.recorded), ...Object.keys(check.billed)])].sort();
  return models.map((model) => {
    const recorded = recordedCounts(check.recorded, model);
    const billed = check.billed[model] ?? emptyCounts();
    const difference = Object.fromEntries(COMPARED_FIELDS.map((f) => [f, billed[f] - recorded[f]])) as ComparedCounts;
    return { model, recorded, billed, difference };
  });
}

export function skippedDocument(reason: string, now: Date): ReconcileDocument {
  return {
    schemaVersion: RECONCILE_SCHEMA_VERSION,
    status: 'skipped',
    reason,
    checkedAt: now.toISOString(),
    apiKeyId: null,
    window: null,
    models: [],
    tasks: [],
    sequence: null,
    buckets: [],
    reads: 0,
    costReport: null,
  };
}

export function checkDocument(
  check: BillingCheck,
  tasksDir: string | undefined,
  reads: number,
  cost: CostComparison | undefined,
): ReconcileDocument {
  const recordedCost = check.overall.recorded;
  return {
    schemaVersion: RECONCILE_SCHEMA_VERSION,
    status: check.overall.status,
    reason: null,
    checkedAt: check.checkedAt,
    apiKeyId: check.apiKeyId,
    window: check.overall.window,
    models: modelComparisons(check.overall),
    tasks: check.tasks.map((task) => ({
      taskPath: task.taskPath,
      status: task.status,
      window: task.window,
      sharedWith: task.sharedWith,
      models: modelComparisons(task),
    })),
    sequence:
      check.sequence && tasksDir !== undefined
        ? { tasksDir, status: check.sequence.status, window: check.sequence.window, models: modelComparisons(check.sequence) }
        : null,
    buckets: check.buckets.filter((bucket) => Object.keys(bucket.models).length > 0),
    reads,
    costReport: cost
      ? {
          days: cost.days,
          models: [...new Set([...Object.keys(cost.billedUsd), ...Object.keys(recordedCost)])].sort().map((model) => ({
            model,
            billedUsd: cost.billedUsd[model] ?? 0,
            recordedCostUsd: recordedCost[model] ? recordedCost[model].costUsd : 0,
          })),
        }
      : null,
  };
}
