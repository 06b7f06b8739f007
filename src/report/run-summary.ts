import type { z } from 'zod';
import type { SequenceRunSummarySchema, TaskRunSummarySchema } from './output-schemas.js';
import type { SequenceState } from '../state/sequence-state.js';
import type { TaskPhase, TaskState } from '../state/task-state.js';
import { roundKnownCost, totalOf } from '../usage/math.js';
import { budgetData, forecastData, provenanceOf } from './budget-data.js';
import { summarizeUsage } from './usage-summary.js';

/** The one JSON line `run --json` and `sequence --json` print on stdout when they end (declared in output-schemas.ts). */
export type TaskRunSummary = z.infer<typeof TaskRunSummarySchema>;
export type SequenceRunSummary = z.infer<typeof SequenceRunSummarySchema>;
/**
 * Bump on any change that is not an added field. Kept here, not with the declaration: `run` prints
 * the summary, and must not build every output's declaration to learn one number.
 */
export const RUN_SUMMARY_SCHEMA_VERSION = 1;

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
