import { sumModelUsage, totalOf } from '../usage/math.js';
import type { ModelTokenUsage, UsageSource } from '../usage/types.js';

import type { BudgetRecord, Forecast } from './budget-record.js';

export type TaskPhase = 'pending' | 'running' | 'waiting-rate-limit' | 'done' | 'failed' | 'interrupted' | 'budget-exceeded';
export type StepStatus = TaskPhase;

/** How one claude call (plus its check) ended. `unfinished`: started, outcome not yet recorded. */
export type AttemptOutcome =
  | 'unfinished'
  | 'passed'
  | 'check-failed'
  | 'claude-failed'
  | 'timeout'
  | 'rate-limited'
  | 'interrupted'
  /** Stopped by a budget cap (by claude's --max-budget-usd or by us); its usage is kept. */
  | 'budget';

export interface AttemptState {
  attempt: number;
  model: string;
  outcome: AttemptOutcome;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  exitCode?: number | null;
  sessionId?: string;
  /** claude's process id while the attempt runs. */
  pid?: number;
  usage: ModelTokenUsage;
  usageSource: UsageSource;
  malformedLines: number;
  checkExitCode?: number;
  resetsAt?: string;
  error?: string;
}

export interface StepState {
  name: string;
  status: StepStatus;
  /** The model the step asked for; what was billed is in `usage`, per model. */
  model: string;
  attempts: AttemptState[];
  usage: ModelTokenUsage;
  usageSource: UsageSource;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  exitCode?: number | null;
  error?: string;
  /** What this step was expected to cost, worked out before its latest attempt. */
  forecast?: Forecast;
}

export interface TaskState {
  version: 1;
  taskPath: string;
  taskName: string;
  phase: TaskPhase;
  steps: StepState[];
  tokenUsage: ModelTokenUsage;
  totalCostUsd: number;
  malformedLines: number;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  waitingUntil?: string;
  error?: string;
  /** The caps in force at the latest step start, and the stop, if one stopped the task. */
  budget?: BudgetRecord;
}

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

const SOURCE_RANK: Record<UsageSource, number> = { result: 0, transcript: 1, estimate: 2 };

/** The least exact source among the parts: a step is only as exact as its least exact attempt. */
export function weakestSource(sources: UsageSource[]): UsageSource {
  return sources.reduce<UsageSource>((worst, s) => (SOURCE_RANK[s] > SOURCE_RANK[worst] ? s : worst), 'result');
}

/**
 * Recomputes every derived number from the attempts, so totals can never drift from their
 * parts: step usage = sum of its attempts, task usage = sum of its steps.
 */
export function withTotals(task: TaskState): TaskState {
  const steps = task.steps.map((step) => ({
    ...step,
    usage: sumModelUsage(...step.attempts.map((a) => a.usage)),
    usageSource: weakestSource(step.attempts.map((a) => a.usageSource)),
  }));
  const tokenUsage = sumModelUsage(...steps.map((s) => s.usage));
  return {
    ...task,
    steps,
    tokenUsage,
    totalCostUsd: totalOf(tokenUsage).costUsd,
    malformedLines: steps.reduce((n, s) => n + s.attempts.reduce((m, a) => m + a.malformedLines, 0), 0),
  };
}
