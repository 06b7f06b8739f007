import * as z from 'zod';
import { choice, count, list, num, record, text, timestamp } from '../declare/rules.js';
import { stateVersion } from './state-version.js';
import { BillingRecordSchema } from './billing-record.js';
import { BudgetRecordSchema, ForecastSchema } from './budget-record.js';
import { SubagentUsageSchema } from './subagent-record.js';
import { ModelTokenUsageSchema, UsageSourceSchema } from '../usage/types.js';
import { rollUpStep, rollUpTask } from './roll-up.js';

export const TASK_PHASES = ['pending', 'running', 'waiting-rate-limit', 'done', 'failed', 'interrupted', 'budget-exceeded'] as const;
export type TaskPhase = (typeof TASK_PHASES)[number];
export type StepStatus = TaskPhase;

/** How one claude call (plus its check) ended. `unfinished`: started, outcome not yet recorded. */
export const ATTEMPT_OUTCOMES = [
  'unfinished',
  'passed',
  'check-failed',
  'claude-failed',
  'timeout',
  'rate-limited',
  'interrupted',
  'failed',
  'budget',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
// `failed`: an unexpected error of claude-project's own stopped the attempt (claude was stopped too).
// `budget`: stopped by a budget cap (by claude's --max-budget-usd or by us); its usage is kept.

const exitCode = (): z.ZodNullable<z.ZodNumber> => num({ integer: true }).nullable();

export const AttemptStateSchema = record({
  attempt: num({ min: 1, integer: true }),
  model: text(),
  outcome: choice(ATTEMPT_OUTCOMES),
  startedAt: timestamp(),
  endedAt: timestamp().optional(),
  durationMs: num({ min: 0 }).optional(),
  exitCode: exitCode().optional(),
  sessionId: text().optional(),
  /** Claude Code's `apiKeySource` (its init line): what the call was billed to; `none` for a subscription login. */
  apiKeySource: text().optional(),
  /** claude's process id while the attempt runs. */
  pid: num({ min: 1, integer: true }).optional(),
  usage: ModelTokenUsageSchema,
  usageSource: UsageSourceSchema,
  /** The subagent calls within this attempt, where their transcripts could be read; the main thread is the rest of `usage`. */
  subagents: list(SubagentUsageSchema).optional(),
  malformedLines: count(),
  checkExitCode: num({ integer: true }).optional(),
  resetsAt: timestamp().optional(),
  error: z.string().optional(),
});
export type AttemptState = z.infer<typeof AttemptStateSchema>;

export const StepStateSchema = record({
  name: text(),
  status: choice(TASK_PHASES),
  /** The model the step asked for; what was billed is in `usage`, per model. */
  model: text(),
  attempts: list(AttemptStateSchema),
  usage: ModelTokenUsageSchema,
  usageSource: UsageSourceSchema,
  startedAt: timestamp().optional(),
  finishedAt: timestamp().optional(),
  durationMs: num({ min: 0 }).optional(),
  exitCode: exitCode().optional(),
  error: z.string().optional(),
  /** What this step was expected to cost, worked out before its latest attempt. */
  forecast: ForecastSchema.optional(),
});
export type StepState = z.infer<typeof StepStateSchema>;

/** `<task>.state.json`, declared once: its type, the check every reader makes, and its JSON Schema. */
export const TaskStateSchema = record({
  version: stateVersion(),
  taskPath: text(),
  taskName: text(),
  phase: choice(TASK_PHASES),
  steps: list(StepStateSchema),
  tokenUsage: ModelTokenUsageSchema,
  /** Null when a model's price is unknown. */
  totalCostUsd: num({ min: 0 }).nullable(),
  malformedLines: count(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
  startedAt: timestamp().optional(),
  finishedAt: timestamp().optional(),
  waitingUntil: timestamp().optional(),
  error: z.string().optional(),
  /** The last `reconcile` against the Admin API; beside the usage, never replacing it. */
  billing: BillingRecordSchema.optional(),
  /** The caps in force at the latest step start, and the stop, if one stopped the task. */
  budget: BudgetRecordSchema.optional(),
});
export type TaskState = z.infer<typeof TaskStateSchema>;

export function newTaskState(taskPath: string, taskName: string, now: string): TaskState {
  return {
    version: 1,
    taskPath,
    taskName,
    phase: 'pending',
    steps: [],
    tokenUsage: {},
    totalCostUsd: 0,
    malformedLines: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Recomputes every derived number from the attempts, so totals can never drift from their
 * parts: step usage = sum of its attempts, task usage = sum of its steps.
 */
export function withTotals(task: TaskState): TaskState {
  const rolled = task.steps.map((step) => rollUpStep(step.attempts));
  const steps = task.steps.map((step, i) => ({ ...step, usage: rolled[i]!.usage, usageSource: rolled[i]!.usageSource }));
  const totals = rollUpTask(rolled);
  return { ...task, steps, tokenUsage: totals.tokenUsage, totalCostUsd: totals.costUsd, malformedLines: totals.malformedLines };
}
