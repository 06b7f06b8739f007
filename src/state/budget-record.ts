import type { z } from 'zod';
import { choice, count, list, num, record, text } from '../declare/rules.js';

/** The budget fields of the state files. */

export const CAP_SCOPES = ['sequence', 'task', 'step'] as const;
export type CapScope = (typeof CAP_SCOPES)[number];

/** A USD cap in force, and where it was set (`budget.taskUsd`, `--max-usd`, `pipeline[1].budgetUsd`). */
export const CapSchema = record({
  scope: choice(CAP_SCOPES),
  usd: num({ positive: true }),
  source: text(),
  /** For a step cap: the step it covers. */
  step: text().optional(),
});
export type Cap = z.infer<typeof CapSchema>;

/**
 * What a step is expected to cost, before it runs: the median and the maximum cost of the same
 * step's finished attempts in this state folder (`basis: "earlier-attempts"`), or nothing to go
 * on (`basis: "none"`, no numbers).
 */
export const ForecastSchema = record({
  usd: num({ min: 0 }).nullable(),
  maxUsd: num({ min: 0 }).nullable(),
  basis: choice(['earlier-attempts', 'none']),
  samples: count(),
});
export type Forecast = z.infer<typeof ForecastSchema>;

/** Why a budget stopped a task: which cap, how much was spent under it, what the step's forecast was. */
export const BudgetStopSchema = record({
  scope: choice(CAP_SCOPES),
  capUsd: num({ positive: true }),
  source: text(),
  spentUsd: num({ min: 0 }),
  forecastUsd: num({ min: 0 }).nullable(),
  step: text(),
  /** `forecast`: the step did not start; `spent`: nothing was left; `in-call`: claude was stopped. */
  stage: choice(['forecast', 'spent', 'in-call']),
});
export type BudgetStop = z.infer<typeof BudgetStopSchema>;

export const BudgetRecordSchema = record({
  caps: list(CapSchema),
  stop: BudgetStopSchema.optional(),
});
export type BudgetRecord = z.infer<typeof BudgetRecordSchema>;
