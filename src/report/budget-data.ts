import type { z } from 'zod';
import type { BudgetDataSchema, ForecastDataSchema, ProvenanceSchema } from './output-schemas.js';
import type { BudgetRecord, CapScope } from '../state/budget-record.js';
import type { StepState, TaskState } from '../state/task-state.js';
import { costOf, stepCostOf } from '../state/cost-of.js';

export type BudgetData = z.infer<typeof BudgetDataSchema>;
export type ForecastData = z.infer<typeof ForecastDataSchema>;
/** Where a step's number stands: `forecast` before it ran (nothing billed yet), then the least exact source of its attempts. */
export type Provenance = z.infer<typeof ProvenanceSchema>;

export function forecastData(step: StepState): ForecastData | null {
  return step.forecast ? { ...step.forecast } : null;
}

export function provenanceOf(step: StepState): Provenance {
  return step.attempts.length === 0 && step.forecast ? 'forecast' : step.usageSource;
}

/**
 * The caps recorded in a task's state with what is spent under each: the task's and its steps'
 * from the task state, the sequence's from `sequenceSpentUsd` (null when not known here).
 */
export function budgetData(
  record: BudgetRecord | undefined,
  task: TaskState | undefined,
  sequenceSpentUsd: number | null,
): BudgetData | null {
  if (!record || record.caps.length === 0) return null;
  const stepSpent = (name: string | undefined): number | null => {
    const step = task?.steps.find((s) => s.name === name);
    return step ? stepCostOf(step) : task ? 0 : null;
  };
  const spent = (scope: CapScope, step: string | undefined): number | null =>
    scope === 'sequence' ? sequenceSpentUsd : scope === 'task' ? (task ? costOf(task) : null) : stepSpent(step);
  return {
    caps: record.caps.map((cap) => ({
      scope: cap.scope,
      step: cap.step ?? null,
      capUsd: cap.usd,
      source: cap.source,
      spentUsd: spent(cap.scope, cap.step),
    })),
    stop: record.stop ?? null,
  };
}

const usd = (value: number | null): string => (value === null ? 'unknown' : `$${value.toFixed(4)}`);

/** `task $0.0123 / $0.0500 (--max-usd) · step plan $0.0100 / $0.0200 (budget.stepUsd)` */
export function formatCaps(budget: BudgetData): string {
  return budget.caps
    .map((cap) => `${cap.scope}${cap.step ? ` ${cap.step}` : ''} ${usd(cap.spentUsd)} / ${usd(cap.capUsd)} (${cap.source})`)
    .join(' · ');
}
