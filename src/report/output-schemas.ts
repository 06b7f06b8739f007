import * as z from 'zod';
import { ATTEMPT_OUTCOMES, TASK_PHASES } from '../state/task-state.js';
import { SEQUENCE_PHASES } from '../state/sequence-state.js';
import {
  BILLING_STATUSES,
  BilledCountsSchema as BilledCountsRecordSchema,
  DIFFERENCE_CAUSES,
  DifferenceSchema,
} from '../state/billing-record.js';
import { CAP_SCOPES } from '../state/budget-record.js';
import { WASTE_REASONS } from '../state/spend-split.js';
import { USAGE_SOURCES } from '../usage/types.js';
import { RUN_SUMMARY_SCHEMA_VERSION } from './run-summary.js';
import { STATUS_SCHEMA_VERSION } from './status-data.js';

/**
 * The JSON that `status --json`, `run --json` and `sequence --json` print, declared once: the
 * TypeScript types of the code that builds it and schema/status.schema.json and
 * schema/run-summary.schema.json come from here. Every field is always present (null when
 * unknown); within a schemaVersion fields are only added.
 */

const count = (): z.ZodNumber => z.number().int().min(0);
const usd = (): z.ZodNullable<z.ZodNumber> => z.number().min(0).nullable();
const timestamp = (): z.ZodISODateTime => z.iso.datetime({ offset: true });
const nullableTimestamp = (): z.ZodNullable<z.ZodISODateTime> => timestamp().nullable();

/** The counts and the costs: what every row of every report holds (null: unknown). */
export const UsageCountsSchema = z.strictObject({
  inputTokens: count(),
  outputTokens: count(),
  cacheCreationInputTokens: count(),
  cacheReadInputTokens: count(),
  cacheCreation5mInputTokens: count(),
  cacheCreation1hInputTokens: count(),
  costUsd: usd().describe(
    'Our cost from the counts, at the rates of the first price source that knows the model (see priceSource); null when none does.',
  ),
  claudeCostUsd: usd().describe("Claude Code's own client-side estimate (costUSD), where it gave one."),
  priceSource: z
    .string()
    .nullable()
    .describe(
      'Who priced costUsd: "config" (pricing:), the price database with its version ("genai-prices@0.1.8"), "claude-code" (its costUSD, for a model no table knows), several joined by ", "; null when nobody could (or for usage recorded before sources were).',
    ),
});

export const ModelUsageRowSchema = z.strictObject({ model: z.string(), ...UsageCountsSchema.shape });

/** Per-model rows (by cost, highest first) and their total. */
const usageSummary = { models: z.array(ModelUsageRowSchema), total: UsageCountsSchema };
export const UsageSummarySchema = z.strictObject(usageSummary);

export const ForecastDataSchema = z
  .strictObject({ usd: usd(), maxUsd: usd(), basis: z.enum(['earlier-attempts', 'none']), samples: count() })
  .describe("The median (usd) and maximum cost of the same step's finished attempts in the state folder, before its latest attempt.");

export const ProvenanceSchema = z
  .enum(['forecast', ...USAGE_SOURCES])
  .describe("Where a step's number stands: forecast before it ran, then the least exact source of its attempts.");

const CapDataSchema = z.strictObject({
  scope: z.enum(CAP_SCOPES),
  step: z.string().nullable(),
  capUsd: z.number().positive(),
  source: z.string(),
  spentUsd: usd(),
});

const BudgetStopDataSchema = z.strictObject({
  scope: z.enum(CAP_SCOPES),
  capUsd: z.number().positive(),
  source: z.string(),
  spentUsd: z.number().min(0),
  forecastUsd: usd(),
  step: z.string(),
  stage: z.enum(['forecast', 'spent', 'in-call']),
});

export const BudgetDataSchema = z.strictObject({ caps: z.array(CapDataSchema), stop: BudgetStopDataSchema.nullable() });

/** As printed, every count is there (a record written before a count was kept reads it as 0). */
const ComparedCountsSchema = DifferenceSchema.required().strict();
const BilledCountsSchema = BilledCountsRecordSchema.required().strict();

export { BilledCountsSchema, ComparedCountsSchema };

export const BillingDataSchema = z.strictObject({
  status: z.enum(BILLING_STATUSES),
  verdict: z.string().describe('The status and its likely causes in one line.'),
  causes: z.array(z.strictObject({ cause: z.enum(DIFFERENCE_CAUSES), model: z.string().nullable(), explanation: z.string() })),
  checkedAt: timestamp(),
  apiKeyId: z.string().nullable().describe('null for not-billed, which reads no bill.'),
  window: z.strictObject({ start: timestamp(), end: timestamp() }),
  sharedWith: z.array(z.string()),
  models: z.array(
    z.strictObject({ model: z.string(), recorded: ComparedCountsSchema, billed: BilledCountsSchema, difference: ComparedCountsSchema }),
  ),
});

const SpendPartSchema = z.strictObject({ attempts: count(), ...usageSummary });

export const SpendDataSchema = z
  .strictObject({
    useful: SpendPartSchema.describe('The attempts that passed.'),
    waste: SpendPartSchema.describe('The attempts that did not: every reason together.'),
    byReason: z
      .array(z.strictObject({ reason: z.enum(WASTE_REASONS), ...SpendPartSchema.shape }))
      .describe(
        'The waste by reason, only the reasons with an attempt: check-failed, error (claude or claude-project failed, a crash), timeout, rate-limited (stopped by a usage limit; run again after its reset when the run waits), budget (a cap stopped it), interrupted.',
      ),
    running: SpendPartSchema.describe('Attempts still running (or never settled): neither useful nor wasted yet.'),
    sentence: z.string().describe('The split in one sentence, e.g. "3 attempts; 2 failed checks cost $0.4100 of $0.6300".'),
  })
  .describe('The spend split by what came of each attempt; useful + waste + running is the whole usage, per model.');

export const CostPerPassedTaskSchema = z
  .strictObject({
    usd: usd().describe('spentUsd / tasksDone; null when no task is done (see status) or a cost is unknown.'),
    status: z.enum(['known', 'no-task-done', 'unknown']),
    spentUsd: usd().describe('Everything spent on the tasks, passed or not.'),
    tasksDone: count(),
  })
  .describe('What each passed task cost: all that was spent, over the tasks done.');

const nullableDuration = (): z.ZodNullable<z.ZodNumber> => z.number().min(0).nullable();

export const AttemptDataSchema = z.strictObject({
  attempt: z.number().int().min(1),
  model: z.string().describe('The model the step asked for; models says what was billed.'),
  outcome: z.enum(ATTEMPT_OUTCOMES),
  usageSource: z.enum(USAGE_SOURCES),
  startedAt: timestamp(),
  endedAt: nullableTimestamp(),
  durationMs: nullableDuration(),
  exitCode: z.number().int().nullable(),
  error: z.string().nullable(),
  subagents: z
    .array(
      z.strictObject({
        toolUseId: z.string().nullable().describe("The Task tool_use id it served (its lines' parent_tool_use_id)."),
        agentId: z.string(),
        subagentType: z.string().nullable(),
        ...usageSummary,
      }),
    )
    .describe('Each subagent call of the attempt, from its transcript; empty when none was recorded.'),
  mainThread: UsageSummarySchema.nullable().describe(
    "The attempt's usage less its subagents' (they add up to the attempt's exactly); null without subagents, or when they show more than the attempt was billed.",
  ),
  spendKind: z
    .enum(['useful', ...WASTE_REASONS, 'running'])
    .describe("Where this attempt's spend counts: useful (it passed), a waste reason, or running."),
  ...usageSummary,
});

export const StepDataSchema = z.strictObject({
  name: z.string(),
  status: z.enum(TASK_PHASES),
  model: z.string(),
  usageSource: z.enum(USAGE_SOURCES).describe('The least exact source among the attempts that billed something.'),
  attempts: z.array(AttemptDataSchema),
  startedAt: nullableTimestamp(),
  finishedAt: nullableTimestamp(),
  durationMs: nullableDuration(),
  exitCode: z.number().int().nullable(),
  error: z.string().nullable(),
  forecast: ForecastDataSchema.nullable(),
  provenance: ProvenanceSchema,
  spend: SpendDataSchema,
  ...usageSummary,
});

export const TaskDataSchema = z.strictObject({
  taskPath: z.string(),
  taskName: z.string(),
  stateFile: z.string(),
  phase: z.enum([...TASK_PHASES, 'not-run']).describe('not-run: there is no state file for the task yet.'),
  usageSource: z.enum(USAGE_SOURCES).nullable(),
  error: z.string().nullable(),
  waitingUntil: nullableTimestamp(),
  startedAt: nullableTimestamp(),
  finishedAt: nullableTimestamp(),
  durationMs: nullableDuration(),
  malformedLines: count(),
  steps: z.array(StepDataSchema),
  billing: BillingDataSchema.nullable(),
  costBasis: z
    .enum(['billed', 'api-equivalent'])
    .describe(
      "api-equivalent: Claude Code said the task's calls were not billed to an API key (apiKeySource none: a subscription login), so its costs are what the API would have charged, not what was paid.",
    ),
  budget: BudgetDataSchema.nullable(),
  spend: SpendDataSchema,
  ...usageSummary,
});

export const SequenceDataSchema = z.strictObject({
  tasksDir: z.string(),
  phase: z.enum(SEQUENCE_PHASES),
  currentTaskPath: z.string().nullable(),
  tasksTotal: count(),
  tasksCompleted: count(),
  tasksFailed: count(),
  completedTasks: z.array(z.string()),
  failedTasks: z.array(z.string()),
  startedAt: timestamp(),
  finishedAt: nullableTimestamp(),
  billing: BillingDataSchema.nullable(),
  budget: BudgetDataSchema.nullable(),
  costPerPassedTask: CostPerPassedTaskSchema.describe("Over the sequence's own totals and tasks done."),
  ...usageSummary,
});

export const StatusDataSchema = z.strictObject({
  schemaVersion: z.literal(STATUS_SCHEMA_VERSION),
  generatedAt: timestamp(),
  tasks: z.array(TaskDataSchema),
  sequence: SequenceDataSchema.nullable().describe("The sequence state, when the tasks shown are a sequence's folder (or all tasks)."),
  totals: z
    .strictObject({
      tasks: count(),
      tasksRun: count(),
      tasksDone: count(),
      spend: SpendDataSchema,
      costPerPassedTask: CostPerPassedTaskSchema,
      ...usageSummary,
    })
    .describe('The sum over the tasks shown.'),
});

const summaryBase = {
  schemaVersion: z.literal(RUN_SUMMARY_SCHEMA_VERSION),
  exitCode: z.number().int().describe("The process's exit code (README: Exit codes)."),
  stateFile: z.string(),
  ...usageSummary,
};

export const StepForecastSummarySchema = z.strictObject({
  name: z.string(),
  status: z.enum(TASK_PHASES),
  forecast: ForecastDataSchema.nullable(),
  actualUsd: usd(),
  provenance: ProvenanceSchema,
});

export const TaskRunSummarySchema = z.strictObject({
  command: z.literal('run'),
  phase: z.enum(TASK_PHASES),
  taskPath: z.string(),
  taskName: z.string(),
  error: z.string().nullable(),
  budget: BudgetDataSchema.nullable(),
  steps: z.array(StepForecastSummarySchema),
  ...summaryBase,
});

export const SequenceRunSummarySchema = z.strictObject({
  command: z.literal('sequence'),
  phase: z.enum(SEQUENCE_PHASES),
  tasksDir: z.string(),
  tasksTotal: count(),
  tasksCompleted: count(),
  tasksFailed: count(),
  failedTasks: z.array(z.string()),
  budget: BudgetDataSchema.nullable(),
  ...summaryBase,
});

export const RunSummarySchema = z.discriminatedUnion('command', [TaskRunSummarySchema, SequenceRunSummarySchema]);

/** USD per million tokens. */
const PriceRatesSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cacheWrite5m: z.number().min(0),
  cacheWrite1h: z.number().min(0),
  cacheRead: z.number().min(0),
});

/** `prices --json`: each model's rates as a run would price it, and who gave them. */
export const PriceListSchema = z.strictObject({
  /** The price database and its version, e.g. "genai-prices@0.1.8". */
  database: z.string(),
  models: z.array(
    z.strictObject({
      model: z.string(),
      /** The name prices are looked up by (no date, no [1m] suffix, no Bedrock or Vertex spelling). */
      canonical: z.string(),
      /** "config", the database with its version, or null: no table prices it (a run then takes Claude Code's own cost, when it gives one). */
      source: z.string().nullable(),
      rates: PriceRatesSchema.nullable(),
      /** A request whose input passes thresholdTokens is billed entirely at these rates. */
      longContext: z.strictObject({ thresholdTokens: z.number().int().min(0), ...PriceRatesSchema.shape }).nullable(),
    }),
  ),
});
