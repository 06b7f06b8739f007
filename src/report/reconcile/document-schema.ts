import * as z from 'zod';
import { BilledCountsSchema, ComparedCountsSchema } from '../output-schemas.js';
import { BILLING_STATUSES, DIFFERENCE_CAUSES } from '../../state/billing-record.js';
import { RECONCILE_SCHEMA_VERSION } from './document.js';

/**
 * What `reconcile --json` prints, declared once: the type of the document the code builds and
 * schema/reconcile.schema.json come from here.
 */

const timestamp = (): z.ZodISODateTime => z.iso.datetime({ offset: true });
const count = (): z.ZodNumber => z.number().int().min(0);

const WindowSchema = z
  .strictObject({ start: timestamp(), end: timestamp() })
  .describe('UTC, minute-aligned (whole days for the cost report); start inclusive, end exclusive.');

export const COUNT_NAMES = ['input', 'output', 'cache write 5m', 'cache write 1h', 'cache read', 'web search requests'] as const;

export const CountComparisonSchema = z.strictObject({
  count: z.enum(COUNT_NAMES),
  recorded: count().nullable().describe('null: claude-project does not record this count (web search requests).'),
  billed: count(),
  difference: z.number().int().nullable().describe('billed − recorded; null when nothing was recorded to compare.'),
});

export const ModelComparisonSchema = z.strictObject({
  model: z.string().describe('One name per model: an alias, its dated snapshot and a [1m] suffix are one row.'),
  seenAs: z.array(z.string()).describe("The names Claude Code's counts and the usage report used for this model."),
  recorded: ComparedCountsSchema,
  billed: BilledCountsSchema,
  difference: ComparedCountsSchema.describe('billed − recorded: positive when more was billed than recorded.'),
  counts: z.array(CountComparisonSchema).describe('Every count compared, the cache write split by time-to-live.'),
});

export const CauseOutputSchema = z.strictObject({
  cause: z.enum(DIFFERENCE_CAUSES),
  model: z.string().nullable().describe('null: the cause concerns every model.'),
  explanation: z.string(),
});

const causes = () => z.array(CauseOutputSchema).describe('The likely causes of the differences, in words.');
const verdict = () => z.string().describe('The status and its causes in one line.');

const billingStatus = z.enum(BILLING_STATUSES);

export const ReconcileDocumentSchema = z.strictObject({
  schemaVersion: z.literal(RECONCILE_SCHEMA_VERSION),
  status: z
    .enum(['verified', 'mismatch', 'pending', 'not-billed', 'skipped'])
    .describe('The overall status; the exit code follows it (0, 1, 75, 0, 0).'),
  reason: z.string().nullable().describe('Why nothing was checked, for skipped; null otherwise.'),
  verdict: verdict(),
  causes: causes(),
  checkedAt: timestamp(),
  apiKeyId: z.string().nullable(),
  window: WindowSchema.nullable(),
  models: z.array(ModelComparisonSchema),
  tasks: z.array(
    z.strictObject({
      taskPath: z.string(),
      status: billingStatus,
      verdict: verdict(),
      causes: causes(),
      window: WindowSchema,
      sharedWith: z.array(z.string()),
      apiKeySources: z.array(z.string()).describe("Claude Code's apiKeySource for the task's calls, where recorded (not-billed)."),
      costBasis: z
        .enum(['billed', 'api-equivalent'])
        .describe('api-equivalent: the calls were not billed to an API key; the recorded cost is what the API would have charged.'),
      models: z.array(ModelComparisonSchema),
    }),
  ),
  sequence: z
    .strictObject({
      tasksDir: z.string(),
      status: billingStatus,
      verdict: verdict(),
      causes: causes(),
      window: WindowSchema,
      models: z.array(ModelComparisonSchema),
    })
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
