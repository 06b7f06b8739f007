import { addUsage, roundCost, splitOf } from '../usage/math.js';
import type { ModelTokenUsage, TokenUsage, UsageSource } from '../usage/types.js';

/**
 * The one roll-up of usage: attempts → step → task → sequence or folder. Every writer of a total
 * (task store, sequence, merge, recount --fix) and every reader that shows one (status, recount)
 * adds parts here, so a total is the same number wherever it is read.
 *
 * What is rolled up is `Totals`. A further field set (say a split of spend) is one more field
 * in `Totals`, `emptyTotals` and `RollUp.add`; the levels below pass it along unchanged.
 */
export interface Totals {
  /** Per model, in the order the models were first seen. */
  tokenUsage: ModelTokenUsage;
  /** The sum over models; null when any model's cost is unknown. */
  costUsd: number | null;
}

export function emptyTotals(): Totals {
  return { tokenUsage: {}, costUsd: 0 };
}

/**
 * A running sum, part by part, in the order added. Adding in one pass keeps the cost of a sum
 * linear in its parts (a sequence of thousands of tasks is summed in one go), and the result is
 * exactly that of adding the same parts in the same order at any other level.
 */
export class RollUp {
  private readonly byModel = new Map<string, TokenUsage>();
  private parts = 0;

  /** Adds a per-model usage (an attempt's, a step's, a task's). */
  add(usage: ModelTokenUsage): this {
    this.parts++;
    for (const [model, part] of Object.entries(usage)) {
      const sum = this.byModel.get(model);
      // a model's first part is taken as it is (with its split filled in): adding it to an empty usage would drop its claudeCostUsd
      this.byModel.set(model, sum ? addUsage(sum, part) : { ...part, ...splitOf(part) });
    }
    return this;
  }

  /** How many parts were added. */
  get count(): number {
    return this.parts;
  }

  get totals(): Totals {
    const tokenUsage: ModelTokenUsage = Object.fromEntries(this.byModel);
    return { tokenUsage, costUsd: costOverModels(tokenUsage) };
  }
}

/** The sum of any number of per-model usages. */
export function rollUp(parts: Iterable<ModelTokenUsage>): Totals {
  const sum = new RollUp();
  for (const part of parts) sum.add(part);
  return sum.totals;
}

/** The cost of a per-model usage: its models' costs added in order, null when one is unknown. */
function costOverModels(usage: ModelTokenUsage): number | null {
  const costs = Object.values(usage).map((u) => u.costUsd);
  if (costs.includes(null)) return null;
  const [first = 0, ...rest] = costs as number[];
  return rest.reduce((sum, cost) => roundCost(sum + cost), first);
}

const SOURCE_RANK: Record<Exclude<UsageSource, 'none'>, number> = { result: 0, transcript: 1, estimate: 2 };

/**
 * The least exact source among the parts that billed something: a step is only as exact as its
 * least exact attempt, and an attempt that billed nothing (`none`) makes nothing less exact.
 * `none` when no part billed anything.
 */
export function weakestSource(sources: UsageSource[]): UsageSource {
  return sources.reduce<UsageSource>((worst, s) => {
    if (s === 'none') return worst;
    return worst === 'none' || SOURCE_RANK[s] > SOURCE_RANK[worst] ? s : worst;
  }, 'none');
}

/** What a step's attempts add up to. */
export function rollUpStep(attempts: ReadonlyArray<{ usage: ModelTokenUsage; usageSource: UsageSource; malformedLines: number }>): {
  usage: ModelTokenUsage;
  usageSource: UsageSource;
  malformedLines: number;
} {
  return {
    usage: rollUp(attempts.map((a) => a.usage)).tokenUsage,
    usageSource: weakestSource(attempts.map((a) => a.usageSource)),
    malformedLines: attempts.reduce((n, a) => n + a.malformedLines, 0),
  };
}

/** What a task's steps (each rolled up from its attempts) add up to. */
export function rollUpTask(steps: ReadonlyArray<{ usage: ModelTokenUsage; malformedLines: number }>): Totals & { malformedLines: number } {
  return { ...rollUp(steps.map((s) => s.usage)), malformedLines: steps.reduce((n, s) => n + s.malformedLines, 0) };
}

/** What the tasks of a sequence or a folder add up to, from each task's own total. */
export function rollUpTasks(tasks: Iterable<{ tokenUsage: ModelTokenUsage }>): Totals {
  const sum = new RollUp();
  for (const task of tasks) sum.add(task.tokenUsage);
  return sum.totals;
}
