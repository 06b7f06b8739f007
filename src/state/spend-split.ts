import { roundCost } from '../usage/math.js';
import type { ModelTokenUsage } from '../usage/types.js';
import { rollUp } from './roll-up.js';
import type { AttemptOutcome, AttemptState, StepState, TaskState } from './task-state.js';

/**
 * Why an attempt's spend was wasted: its check failed; claude or claude-project failed (an error
 * or a crash); it ran out of time; a usage limit stopped it (it is run again after the reset);
 * a budget cap stopped it; it was interrupted.
 */
export const WASTE_REASONS = ['check-failed', 'error', 'timeout', 'rate-limited', 'budget', 'interrupted'] as const;
export type WasteReason = (typeof WASTE_REASONS)[number];

/** Where an attempt's spend goes: `useful` (it passed), a waste reason, or `running` (no outcome yet). */
export type SpendKind = 'useful' | WasteReason | 'running';

const KIND_OF: Record<AttemptOutcome, SpendKind> = {
  passed: 'useful',
  'check-failed': 'check-failed',
  'claude-failed': 'error',
  failed: 'error',
  timeout: 'timeout',
  'rate-limited': 'rate-limited',
  budget: 'budget',
  interrupted: 'interrupted',
  unfinished: 'running',
};

export function spendKindOf(outcome: AttemptOutcome): SpendKind {
  return KIND_OF[outcome];
}

/** Some attempts' usage per model and its cost (null: a part has no price). */
export interface SpendPart {
  attempts: number;
  usage: ModelTokenUsage;
  costUsd: number | null;
}

/**
 * A task's or step's spend split by what came of it. useful + waste + running is the whole
 * usage, per model and count for count; `byReason` splits `waste`.
 */
export interface SpendSplit {
  useful: SpendPart;
  waste: SpendPart;
  byReason: Record<WasteReason, SpendPart>;
  /** Attempts still running (or never settled): neither useful nor wasted yet. */
  running: SpendPart;
}

function partOf(attempts: AttemptState[]): SpendPart {
  const { tokenUsage, costUsd } = rollUp(attempts.map((a) => a.usage));
  return { attempts: attempts.length, usage: tokenUsage, costUsd };
}

/**
 * The split of these attempts, computed from what each recorded (never kept as a tally of its
 * own, so it cannot drift from the totals).
 */
export function splitAttempts(attempts: AttemptState[]): SpendSplit {
  const of = (kind: SpendKind) => attempts.filter((a) => spendKindOf(a.outcome) === kind);
  const wasted = attempts.filter((a) => (WASTE_REASONS as readonly string[]).includes(spendKindOf(a.outcome)));
  return {
    useful: partOf(of('useful')),
    waste: partOf(wasted),
    byReason: Object.fromEntries(WASTE_REASONS.map((reason) => [reason, partOf(of(reason))])) as Record<WasteReason, SpendPart>,
    running: partOf(of('running')),
  };
}

export function stepSpend(step: StepState): SpendSplit {
  return splitAttempts(step.attempts);
}

export function taskSpend(task: TaskState): SpendSplit {
  return splitAttempts(task.steps.flatMap((step) => step.attempts));
}

function addParts(a: SpendPart, b: SpendPart): SpendPart {
  const { tokenUsage, costUsd } = rollUp([a.usage, b.usage]);
  return { attempts: a.attempts + b.attempts, usage: tokenUsage, costUsd };
}

export function emptySpend(): SpendSplit {
  return splitAttempts([]);
}

/** The split of several tasks together. */
export function addSpend(a: SpendSplit, b: SpendSplit): SpendSplit {
  return {
    useful: addParts(a.useful, b.useful),
    waste: addParts(a.waste, b.waste),
    byReason: Object.fromEntries(WASTE_REASONS.map((r) => [r, addParts(a.byReason[r], b.byReason[r])])) as Record<WasteReason, SpendPart>,
    running: addParts(a.running, b.running),
  };
}

/**
 * What each passed task cost on average: all that was spent (passed tasks, failed ones and
 * waste alike) over the tasks done. `undefined` when no task is done (there is nothing to
 * divide by), null when a cost is unknown.
 */
export function costPerPassedTask(spentUsd: number | null, tasksDone: number): number | null | undefined {
  if (tasksDone === 0) return undefined;
  return spentUsd === null ? null : roundCost(spentUsd / tasksDone);
}
