/** The budget fields of the state files. */

export type CapScope = 'sequence' | 'task' | 'step';

/** A USD cap in force, and where it was set (`budget.taskUsd`, `--max-usd`, `pipeline[1].budgetUsd`). */
export interface Cap {
  scope: CapScope;
  usd: number;
  source: string;
  /** For a step cap: the step it covers. */
  step?: string;
}

/**
 * What a step is expected to cost, before it runs: the median and the maximum cost of the same
 * step's finished attempts in this state folder (`basis: "earlier-attempts"`), or nothing to go
 * on (`basis: "none"`, no numbers).
 */
export interface Forecast {
  usd: number | null;
  maxUsd: number | null;
  basis: 'earlier-attempts' | 'none';
  samples: number;
}

/** Why a budget stopped a task: which cap, how much was spent under it, what the step's forecast was. */
export interface BudgetStop {
  scope: CapScope;
  capUsd: number;
  source: string;
  spentUsd: number;
  forecastUsd: number | null;
  step: string;
  /** `forecast`: the step did not start; `spent`: nothing was left; `in-call`: claude was stopped. */
  stage: 'forecast' | 'spent' | 'in-call';
}

export interface BudgetRecord {
  caps: Cap[];
  stop?: BudgetStop;
}
