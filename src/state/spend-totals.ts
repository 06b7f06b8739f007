import { num } from '../declare/rules.js';
import { ModelTokenUsageSchema, type ModelTokenUsage } from '../usage/types.js';
import { RollUp } from './roll-up.js';
import { taskSpend } from './spend-split.js';
import type { TaskState } from './task-state.js';

/** A sequence entry's useful and wasted usage per model (absent in entries written before they were kept). */
export const EntrySpendShape = {
  usefulTokenUsage: ModelTokenUsageSchema.optional(),
  wasteTokenUsage: ModelTokenUsageSchema.optional(),
};

/** The sequence's useful and wasted usage per model and their costs, beside `totalTokenUsage`. */
export const SpendStatsShape = {
  usefulTokenUsage: ModelTokenUsageSchema.optional(),
  usefulCostUsd: num({ min: 0 }).nullable().optional(),
  wasteTokenUsage: ModelTokenUsageSchema.optional(),
  wasteCostUsd: num({ min: 0 }).nullable().optional(),
};

export interface EntrySpend {
  usefulTokenUsage?: ModelTokenUsage;
  wasteTokenUsage?: ModelTokenUsage;
}

export interface SpendStats {
  usefulTokenUsage?: ModelTokenUsage;
  usefulCostUsd?: number | null;
  wasteTokenUsage?: ModelTokenUsage;
  wasteCostUsd?: number | null;
}

/** What a task's sequence entry records of its spend. */
export function entrySpend(task: TaskState): Required<EntrySpend> {
  const split = taskSpend(task);
  return { usefulTokenUsage: split.useful.usage, wasteTokenUsage: split.waste.usage };
}

/**
 * Sums the entries' useful and wasted usage one entry at a time, with the one roll-up (a sequence's entries may be
 * streamed). An entry written before these were kept makes the sum unknowable: then the stats
 * leave them out (undefined, so that a total written before is not kept either) rather than
 * show a part as the whole.
 */
export class SpendStatsSum {
  private readonly useful = new RollUp();
  private readonly waste = new RollUp();
  private complete = true;

  add(entry: EntrySpend): void {
    if (!entry.usefulTokenUsage || !entry.wasteTokenUsage) {
      this.complete = false;
      return;
    }
    this.useful.add(entry.usefulTokenUsage);
    this.waste.add(entry.wasteTokenUsage);
  }

  stats(): SpendStats {
    if (!this.complete)
      return { usefulTokenUsage: undefined, usefulCostUsd: undefined, wasteTokenUsage: undefined, wasteCostUsd: undefined };
    const useful = this.useful.totals;
    const waste = this.waste.totals;
    return {
      usefulTokenUsage: useful.tokenUsage,
      usefulCostUsd: useful.costUsd,
      wasteTokenUsage: waste.tokenUsage,
      wasteCostUsd: waste.costUsd,
    };
  }
}

export function spendStats(entries: EntrySpend[]): SpendStats {
  const sum = new SpendStatsSum();
  for (const entry of entries) sum.add(entry);
  return sum.stats();
}
