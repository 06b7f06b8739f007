import path from 'node:path';
import type { SequencePhase, SequenceState } from '../state/sequence-state.js';
import {
  weakestSource,
  type AttemptOutcome,
  type AttemptState,
  type StepState,
  type StepStatus,
  type TaskPhase,
  type TaskState,
} from '../state/task-state.js';
import { sumModelUsage } from '../usage/math.js';
import type { UsageSource } from '../usage/types.js';
import { billingData, type BillingData } from './billing-data.js';
import type { LoadedStates, LoadedTask } from '../state/load-states.js';
import { budgetData, forecastData, provenanceOf, type BudgetData, type ForecastData, type Provenance } from './budget-data.js';
import { summarizeUsage, type UsageSummary } from './usage-summary.js';

/**
 * What `status` shows, as data: `status --json` prints it as it is (schema/status.schema.json),
 * and the status text and the HTML report are drawn from it. Every usage in it is a
 * `UsageSummary`, built by `usageRows`. Fields are always present; unknown values are null.
 * Bump STATUS_SCHEMA_VERSION on any change that is not an added field.
 */
export const STATUS_SCHEMA_VERSION = 1;

export interface AttemptData extends UsageSummary {
  attempt: number;
  /** The model the step asked for; `models` says what was billed. */
  model: string;
  outcome: AttemptOutcome;
  usageSource: UsageSource;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
  error: string | null;
}

export interface StepData extends UsageSummary {
  name: string;
  status: StepStatus;
  /** The model the step asked for; `models` says what was billed, per model. */
  model: string;
  /** The least exact source among its attempts. */
  usageSource: UsageSource;
  attempts: AttemptData[];
  startedAt: string | null;
  finishedAt: string | null;
  /** From the step's first start to its end; null while it has not ended. */
  durationMs: number | null;
  exitCode: number | null;
  error: string | null;
  /** What the step was expected to cost before its latest attempt (compare with `total.costUsd`). */
  forecast: ForecastData | null;
  /** Where its number stands: `forecast` before it ran, then the source of its usage. */
  provenance: Provenance;
}

export interface TaskData extends UsageSummary {
  taskPath: string;
  taskName: string;
  stateFile: string;
  /** `not-run`: there is no state file for the task yet. */
  phase: TaskPhase | 'not-run';
  /** The least exact source among its steps; null when nothing ran. */
  usageSource: UsageSource | null;
  error: string | null;
  /** While waiting for a usage-limit reset: when the step will be re-run. */
  waitingUntil: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The sum of its steps' durations; null when no step has ended. */
  durationMs: number | null;
  malformedLines: number;
  steps: StepData[];
  /** The last `reconcile` against the Admin API; null when never reconciled. */
  billing: BillingData | null;
  /** The caps in force at its latest step start, each with what is spent under it; null without caps. */
  budget: BudgetData | null;
}

export interface SequenceData extends UsageSummary {
  tasksDir: string;
  phase: SequencePhase;
  currentTaskPath: string | null;
  tasksTotal: number;
  tasksCompleted: number;
  tasksFailed: number;
  completedTasks: string[];
  failedTasks: string[];
  startedAt: string;
  finishedAt: string | null;
  /** The last `reconcile` of the sequence's tasks together; null when never reconciled. */
  billing: BillingData | null;
  /** The sequence's cap with what the state folder has spent; null without one. */
  budget: BudgetData | null;
}

export interface StatusData {
  schemaVersion: typeof STATUS_SCHEMA_VERSION;
  generatedAt: string;
  tasks: TaskData[];
  /** The sequence state, when the tasks shown are a sequence's folder (or all tasks). */
  sequence: SequenceData | null;
  /** Over the tasks shown. */
  totals: UsageSummary & { tasks: number; tasksRun: number };
}

function attemptData(attempt: AttemptState): AttemptData {
  return {
    attempt: attempt.attempt,
    model: attempt.model,
    outcome: attempt.outcome,
    usageSource: attempt.usageSource,
    startedAt: attempt.startedAt,
    endedAt: attempt.endedAt ?? null,
    durationMs: attempt.durationMs ?? null,
    exitCode: attempt.exitCode ?? null,
    error: attempt.error ?? null,
    ...summarizeUsage(attempt.usage),
  };
}

function stepData(step: StepState): StepData {
  return {
    name: step.name,
    status: step.status,
    model: step.model,
    usageSource: step.usageSource,
    attempts: step.attempts.map(attemptData),
    startedAt: step.startedAt ?? null,
    finishedAt: step.finishedAt ?? null,
    durationMs: step.durationMs ?? null,
    exitCode: step.exitCode ?? null,
    error: step.error ?? null,
    forecast: forecastData(step),
    provenance: provenanceOf(step),
    ...summarizeUsage(step.usage),
  };
}

function taskData(task: LoadedTask, folderSpentUsd: number): TaskData {
  const state: TaskState | undefined = task.state;
  if (!state) {
    return {
      taskPath: task.taskPath,
      taskName: path.basename(task.taskPath).replace(/\.md$/i, ''),
      stateFile: task.stateFile,
      phase: 'not-run',
      usageSource: null,
      error: null,
      waitingUntil: null,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      malformedLines: 0,
      steps: [],
      billing: null,
      budget: null,
      ...summarizeUsage({}),
    };
  }
  const durations = state.steps.map((s) => s.durationMs).filter((d): d is number => d !== undefined);
  return {
    taskPath: state.taskPath,
    taskName: state.taskName,
    stateFile: task.stateFile,
    phase: state.phase,
    usageSource: state.steps.length > 0 ? weakestSource(state.steps.map((s) => s.usageSource)) : null,
    error: state.error ?? null,
    waitingUntil: state.waitingUntil ?? null,
    startedAt: state.startedAt ?? null,
    finishedAt: state.finishedAt ?? null,
    durationMs: durations.length > 0 ? durations.reduce((a, b) => a + b, 0) : null,
    malformedLines: state.malformedLines,
    steps: state.steps.map(stepData),
    billing: billingData(state.billing),
    budget: budgetData(state.budget, state, folderSpentUsd),
    ...summarizeUsage(state.tokenUsage),
  };
}

function sequenceData(sequence: SequenceState, folderSpentUsd: number): SequenceData {
  return {
    tasksDir: sequence.tasksDir,
    phase: sequence.phase,
    currentTaskPath: sequence.currentTaskPath,
    tasksTotal: sequence.stats.tasksTotal,
    tasksCompleted: sequence.stats.tasksCompleted,
    tasksFailed: sequence.stats.tasksFailed,
    completedTasks: sequence.completedTasks,
    failedTasks: sequence.failedTasks,
    startedAt: sequence.startedAt,
    finishedAt: sequence.finishedAt ?? null,
    billing: billingData(sequence.billing),
    budget: budgetData(sequence.budget, undefined, folderSpentUsd),
    ...summarizeUsage(sequence.stats.totalTokenUsage),
  };
}

/** The one data builder behind `status`, `status --json` and `report --html`. */
export function buildStatusData(loaded: LoadedStates, now: Date = new Date()): StatusData {
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    tasks: loaded.tasks.map((task) => taskData(task, loaded.folderSpentUsd)),
    sequence: loaded.sequence ? sequenceData(loaded.sequence, loaded.folderSpentUsd) : null,
    totals: {
      tasks: loaded.tasks.length,
      tasksRun: loaded.tasks.filter((t) => t.state).length,
      ...summarizeUsage(sumModelUsage(...loaded.tasks.map((t) => t.state?.tokenUsage ?? {}))),
    },
  };
}
