import type { z } from 'zod';
import { billingVerdict } from '../billing-verdict.js';
import type { Cause } from '../../state/billing-record.js';
import { canonicalModel } from '../../usage/model-name.js';
import { emptyCounts, splitOf } from '../../usage/math.js';
import type { ModelTokenUsage } from '../../usage/types.js';
import type { BillingCheck, GroupCheck } from '../../billing/reconcile/check.js';
import { costFactorCause } from '../../billing/reconcile/causes.js';
import { differenceOf } from '../../billing/reconcile/decide.js';
import type { CostComparison } from '../../billing/admin-api/cost-report.js';
import { COMPARED_FIELDS, type BilledCounts, type ComparedCounts } from '../../billing/types.js';
import type { CauseOutputSchema, CountComparisonSchema, ModelComparisonSchema, ReconcileDocumentSchema } from './document-schema.js';

/**
 * Bump on any change that is not an added field. Kept here, not with the declaration, so that
 * `reconcile` does not build every output's declaration at start-up.
 */
export const RECONCILE_SCHEMA_VERSION = 1;
export type ModelComparison = z.infer<typeof ModelComparisonSchema>;
type CountComparison = z.infer<typeof CountComparisonSchema>;
type CauseOutput = z.infer<typeof CauseOutputSchema>;
/** What `reconcile --json` prints (declared in document-schema.ts). */
export type ReconcileDocument = z.infer<typeof ReconcileDocumentSchema>;

function recordedCounts(usage: ModelTokenUsage, model: string): Required<ComparedCounts> {
  const ours = usage[model] ?? emptyCounts();
  return {
    ...(Object.fromEntries(COMPARED_FIELDS.map((field) => [field, ours[field]])) as ComparedCounts),
    ...splitOf(ours),
  };
}

function countRows(recorded: Required<ComparedCounts>, billed: BilledCounts, difference: Required<ComparedCounts>): CountComparison[] {
  const row = (count: CountComparison['count'], field: keyof Required<ComparedCounts>): CountComparison => ({
    count,
    recorded: recorded[field],
    billed: billed[field],
    difference: difference[field],
  });
  return [
    row('input', 'inputTokens'),
    row('output', 'outputTokens'),
    row('cache write 5m', 'cacheCreation5mInputTokens'),
    row('cache write 1h', 'cacheCreation1hInputTokens'),
    row('cache read', 'cacheReadInputTokens'),
    { count: 'web search requests', recorded: null, billed: billed.webSearchRequests ?? 0, difference: null },
  ];
}

/** One row per model either side has (one name per model), recorded and billed side by side. */
export function modelComparisons(check: Pick<GroupCheck, 'recorded' | 'billed' | 'seenAs'>): ModelComparison[] {
  const models = [...new Set([...Object.keys(check.recorded), ...Object.keys(check.billed)])].sort();
  return models.map((model) => {
    const recorded = recordedCounts(check.recorded, model);
    const billed = { webSearchRequests: 0, ...(check.billed[model] ?? emptyCounts()) };
    const difference = differenceOf(check.recorded[model], check.billed[model]);
    return { model, seenAs: check.seenAs[model] ?? [model], recorded, billed, difference, counts: countRows(recorded, billed, difference) };
  });
}

const causeOutput = (cause: Cause): CauseOutput => ({ cause: cause.cause, model: cause.model ?? null, explanation: cause.explanation });

export function skippedDocument(reason: string, now: Date): ReconcileDocument {
  return {
    schemaVersion: RECONCILE_SCHEMA_VERSION,
    status: 'skipped',
    reason,
    verdict: billingVerdict('skipped', []),
    causes: [],
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

/** The cost report per model (one name per model) beside the recorded cost. */
function costRows(
  cost: CostComparison,
  recorded: ModelTokenUsage,
): Array<{ model: string; billedUsd: number; recordedCostUsd: number | null }> {
  const billed: Record<string, number> = {};
  for (const [name, usd] of Object.entries(cost.billedUsd)) billed[canonicalModel(name)] = (billed[canonicalModel(name)] ?? 0) + usd;
  return [...new Set([...Object.keys(billed), ...Object.keys(recorded)])].sort().map((model) => ({
    model,
    billedUsd: billed[model] ?? 0,
    recordedCostUsd: recorded[model] ? recorded[model].costUsd : 0,
  }));
}

export function checkDocument(
  check: BillingCheck,
  tasksDir: string | undefined,
  reads: number,
  cost: CostComparison | undefined,
): ReconcileDocument {
  const overall = check.overall;
  const costReport = cost ? { days: cost.days, models: costRows(cost, overall.recorded) } : null;
  const factor =
    costReport &&
    costFactorCause({
      models: Object.keys({ ...overall.recorded, ...overall.billed }).map((model) => ({
        model,
        recorded: overall.recorded[model],
        billed: overall.billed[model],
      })),
      costs: costReport.models,
    });
  const causes = [...overall.causes, ...(factor ? [factor] : [])];
  return {
    schemaVersion: RECONCILE_SCHEMA_VERSION,
    status: overall.status,
    reason: null,
    verdict: billingVerdict(overall.status, causes),
    causes: causes.map(causeOutput),
    checkedAt: check.checkedAt,
    apiKeyId: check.apiKeyId ?? null,
    window: overall.window,
    models: modelComparisons(overall),
    tasks: check.tasks.map((task) => ({
      taskPath: task.taskPath,
      status: task.status,
      verdict: billingVerdict(task.status, task.causes, task.sharedWith),
      causes: task.causes.map(causeOutput),
      window: task.window,
      sharedWith: task.sharedWith,
      apiKeySources: task.apiKeySources,
      costBasis: task.status === 'not-billed' ? 'api-equivalent' : 'billed',
      models: modelComparisons(task),
    })),
    sequence:
      check.sequence && tasksDir !== undefined
        ? {
            tasksDir,
            status: check.sequence.status,
            verdict: billingVerdict(check.sequence.status, check.sequence.causes),
            causes: check.sequence.causes.map(causeOutput),
            window: check.sequence.window,
            models: modelComparisons(check.sequence),
          }
        : null,
    buckets: check.buckets
      .filter((bucket) => Object.keys(bucket.models).length > 0)
      .map((bucket) => ({
        ...bucket,
        models: Object.fromEntries(Object.entries(bucket.models).map(([model, c]) => [model, { webSearchRequests: 0, ...c }])),
      })),
    reads,
    costReport,
  };
}
