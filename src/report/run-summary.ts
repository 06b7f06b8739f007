import type { SequencePhase, SequenceState } from '../state/sequence-state.js';
import type { TaskPhase, TaskState } from '../state/task-state.js';
import { roundKnownCost, totalOf } from '../usage/math.js';
import { budgetData, forecastData, provenanceOf, type BudgetData, type ForecastData, type Provenance } from './budget-data.js';
import { summarizeUsage, type UsageSummary } from './usage-summary.js';

/**
 * The one JSON line `run --json` and `sequence --json` print on stdout when they end
 * (schema/run-summary.schema.json). Bump RUN_SUMMARY_SCHEMA_VERSION on any change that is not
 * an added field.
 */
export const RUN_SUMMARY_SCHEMA_VERSION = 1;

interface SummaryBase extends UsageSummary {
  schemaVersion: typeof RUN_SUMMARY_SCHEMA_VERSION;
  exitCode: number;
  stateFile: string;
}

export interface TaskRunSummary extends SummaryBase {
  command: 'run';
  phase: TaskPhase;
  taskPath: string;
  taskName: string;
  error: string | null;
  /** The caps in force with what is spent under each (the sequence's: the whole state folder); null without caps. */
  budget: BudgetData | null;
  /** Forecast vs actual per step. */
  steps: StepForecastSummary[];
}

export interface StepForecastSummary {
  name: string;
  status: string;
  forecast: ForecastData | null;
  actualUsd: number | null;
  provenance: Provenance;
}

export interface SequenceRunSummary extends SummaryBase {
  command: 'sequence';
  phase: SequencePhase;
  tasksDir: string;
  tasksTotal: number;
  tasksCompleted: number;
  tasksFailed: number;
  failedTasks: string[];
  /** The sequence's cap with what the state folder has spent, and the stop; null without a cap. */
  budget: BudgetData | null;
}

export function taskRunSummary(
  end: { phase: TaskPhase; exitCode: number; state: TaskState; stateFile: string },
  folderSpentUsd: number | null,
): TaskRunSummary {
  return {
    schemaVersion: RUN_SUMMARY_SCHEMA_VERSION,
    command: 'run',
    phase: end.phase,
    exitCode: end.exitCode,
    stateFile: end.stateFile,
    taskPath: end.state.taskPath,
    taskName: end.state.taskName,
    error: end.state.error ?? null,
    budget: budgetData(end.state.budget, end.state, folderSpentUsd),
    steps: end.state.steps.map((step) => ({
      name: step.name,
      status: step.status,
      forecast: forecastData(step),
      actualUsd: roundKnownCost(totalOf(step.usage).costUsd),
      provenance: provenanceOf(step),
    })),
    ...summarizeUsage(end.state.tokenUsage),
  };
}

export function sequenceRunSummary(
  end: { exitCode: number; state: SequenceState; stateFile: string },
  folderSpentUsd: number | null,
): SequenceRunSummary {
  const { state } = end;
  return {
    schemaVersion: RUN_SUMMARY_SCHEMA_VERSION,
    command: 'sequence',
    phase: state.phase,
    exitCode: end.exitCode,
    stateFile: end.stateFile,
    tasksDir: state.tasksDir,
    tasksTotal: state.stats.tasksTotal,
    tasksCompleted: state.stats.tasksCompleted,
    tasksFailed: state.stats.tasksFailed,
    failedTasks: state.failedTasks,
    budget: budgetData(state.budget, undefined, folderSpentUsd),
    ...summarizeUsage(state.stats.totalTokenUsage),
  };
}

/** One line of JSON. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
