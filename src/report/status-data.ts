import path from 'node:path';
import type { z } from 'zod';
import type { SequenceOverview } from '../state/sequence-overview.js';
import { RollUp, weakestSource } from '../state/roll-up.js';
import type { AttemptState, StepState, TaskState } from '../state/task-state.js';
import { notBilledToApiKey } from '../state/api-key-source.js';
import { billingData } from './billing-data.js';
import type { LoadedStates, LoadedTask } from '../state/load-states.js';
import { budgetData, forecastData, provenanceOf } from './budget-data.js';
import type { AttemptDataSchema, SequenceDataSchema, StatusDataSchema, StepDataSchema, TaskDataSchema } from './output-schemas.js';
import { summarizeUsage } from './usage-summary.js';
import { attemptThreads } from '../state/attempt-threads.js';
import { costPerPassedTaskData, spendData } from './spend-data.js';
import { addSpend, emptySpend, spendKindOf, stepSpend, taskSpend, type SpendSplit } from '../state/spend-split.js';

/**
 * What `status` shows, as data (declared in output-schemas.ts): `status --json` prints it as it
 * is, and the status text and the HTML report are drawn from it. Every usage in it is a
 * `UsageSummary`, built by `usageRows`.
 */
export type AttemptData = z.infer<typeof AttemptDataSchema>;
export type StepData = z.infer<typeof StepDataSchema>;
export type TaskData = z.infer<typeof TaskDataSchema>;
export type SequenceData = z.infer<typeof SequenceDataSchema>;
export type StatusData = z.infer<typeof StatusDataSchema>;
/**
 * Bump on any change that is not an added field. Kept here, not with the declaration, so that
 * `status` does not build every output's declaration at start-up.
 */
export const STATUS_SCHEMA_VERSION = 1;

function attemptData(attempt: AttemptState): AttemptData {
  const threads = attemptThreads(attempt);
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
    subagents: (threads?.subagents ?? []).map((s) => ({
      toolUseId: s.toolUseId,
      agentId: s.agentId,
      subagentType: s.subagentType ?? null,
      ...summarizeUsage(s.usage),
    })),
    mainThread: threads?.mainThread ? summarizeUsage(threads.mainThread) : null,
    spendKind: spendKindOf(attempt.outcome),
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
    spend: spendData(stepSpend(step)),
    ...summarizeUsage(step.usage),
  };
}

export function taskData(task: LoadedTask, folderSpentUsd: number | null): TaskData {
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
      costBasis: 'billed',
      budget: null,
      spend: spendData(emptySpend()),
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
    costBasis: notBilledToApiKey(state) ? 'api-equivalent' : 'billed',
    budget: budgetData(state.budget, state, folderSpentUsd),
    spend: spendData(taskSpend(state)),
    ...summarizeUsage(state.tokenUsage),
  };
}

export function sequenceData(sequence: SequenceOverview, folderSpentUsd: number | null): SequenceData {
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
    costPerPassedTask: costPerPassedTaskData(sequence.stats.totalCostUsd, sequence.stats.tasksCompleted),
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
    totals: statusTotals(loaded.tasks.map((t) => t.state)),
  };
}

/** What the totals are summed from, one task at a time (status text streams its tasks). */
export class StatusTotalsSum {
  private tasks = 0;
  private tasksRun = 0;
  private tasksDone = 0;
  private readonly usage = new RollUp();
  private spend: SpendSplit = emptySpend();

  add(state: TaskState | undefined): void {
    this.tasks++;
    if (!state) return;
    this.tasksRun++;
    if (state.phase === 'done') this.tasksDone++;
    this.usage.add(state.tokenUsage);
    this.spend = addSpend(this.spend, taskSpend(state));
  }

  totals(): StatusData['totals'] {
    const summary = summarizeUsage(this.usage.totals.tokenUsage);
    return {
      tasks: this.tasks,
      tasksRun: this.tasksRun,
      tasksDone: this.tasksDone,
      spend: spendData(this.spend),
      costPerPassedTask: costPerPassedTaskData(summary.total.costUsd, this.tasksDone),
      ...summary,
    };
  }
}

/** The totals over the tasks shown (undefined: a task not run yet): how many, how many ran and passed, their usage per model and its split. */
export function statusTotals(states: Array<TaskState | undefined>): StatusData['totals'] {
  const sum = new StatusTotalsSum();
  for (const state of states) sum.add(state);
  return sum.totals();
}
