import type { SequencePhase, SequenceState } from '../state/sequence-state.js';
import type { TaskPhase, TaskState } from '../state/task-state.js';
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
}

export interface SequenceRunSummary extends SummaryBase {
  command: 'sequence';
  phase: SequencePhase;
  tasksDir: string;
  tasksTotal: number;
  tasksCompleted: number;
  tasksFailed: number;
  failedTasks: string[];
}

export function taskRunSummary(end: { phase: TaskPhase; exitCode: number; state: TaskState; stateFile: string }): TaskRunSummary {
  return {
    schemaVersion: RUN_SUMMARY_SCHEMA_VERSION,
    command: 'run',
    phase: end.phase,
    exitCode: end.exitCode,
    stateFile: end.stateFile,
    taskPath: end.state.taskPath,
    taskName: end.state.taskName,
    error: end.state.error ?? null,
    ...summarizeUsage(end.state.tokenUsage),
  };
}

export function sequenceRunSummary(end: { exitCode: number; state: SequenceState; stateFile: string }): SequenceRunSummary {
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
    ...summarizeUsage(state.stats.totalTokenUsage),
  };
}

/** One line of JSON. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
