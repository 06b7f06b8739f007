import { z } from 'zod';
import { BilledCountsSchema, ComparedCountsSchema } from '../../report/output-schemas.js';
import { BILLING_STATUSES } from '../../state/billing-record.js';

/**
 * What `reconcile --json` prints, declared once: the type of the document the code builds and
 * schema/reconcile.schema.json come from here.
 */

/** Bump on any change that is not an added field. */
export const RECONCILE_SCHEMA_VERSION = 1;

const timestamp = (): z.ZodISODateTime => z.iso.datetime({ offset: true });
const count = (): z.ZodNumber => z.number().int().min(0);

const WindowSchema = z
  .strictObject({ start: timestamp(), end: timestamp() })
  .describe('UTC, minute-aligned (whole days for the cost report); start inclusive, end exclusive.');

export const ModelComparisonSchema = z.strictObject({
  model: z.string(),
  recorded: ComparedCountsSchema,
  billed: BilledCountsSchema,
  difference: ComparedCountsSchema.describe('billed − recorded: positive when more was billed than recorded.'),
});

const billingStatus = z.enum(BILLING_STATUSES);

export const ReconcileDocumentSchema = z.strictObject({
  schemaVersion: z.literal(RECONCILE_SCHEMA_VERSION),
  status: z.enum(['verified', 'mismatch', 'pending', 'skipped']).describe('The overall status; the exit code follows it (0, 1, 75, 0).'),
  reason: z.string().nullable().describe('Why nothing was checked, for skipped; null otherwise.'),
  checkedAt: timestamp(),
  apiKeyId: z.string().nullable(),
  window: WindowSchema.nullable(),
  models: z.array(ModelComparisonSchema),
  tasks: z.array(
    z.strictObject({
      taskPath: z.string(),
      status: billingStatus,
      window: WindowSchema,
      sharedWith: z.array(z.string()),
      models: z.array(ModelComparisonSchema),
    }),
  ),
  sequence: z
    .strictObject({ tasksDir: z.string(), status: billingStatus, window: WindowSchema, models: z.array(ModelComparisonSchema) })
    .nullable(),
  buckets: z.array(z.strictObject({ startingAt: timestamp(), endingAt: timestamp(), models: z.record(z.string(), BilledCountsSchema) })),
  reads: count().describe('Admin API requests made.'),
  costReport: z
    .strictObject({
      days: WindowSchema,
      models: z.array(z.strictObject({ model: z.string(), billedUsd: z.number(), recordedCostUsd: z.number().nullable() })),
    })
    .nullable()
    .describe(
      "Informational: billed USD over the whole UTC days the window touches (the organisation's other use those days counts too) against the recorded cost.",
    ),
});
