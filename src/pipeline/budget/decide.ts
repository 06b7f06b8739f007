import type { BudgetStop, Cap, Forecast } from '../../state/budget-record.js';
import { roundCost } from '../../usage/math.js';
import { pricingSnippet } from '../../usage/pricing-snippet.js';

export type BudgetDecision =
  | { go: true /** What is left under the tightest cap; undefined without caps. */; leftUsd: number | undefined; tightest: Cap | undefined }
  | { go: false; stop: BudgetStop };

/** What each scope has spent; null (unknown) only in a scope without a cap: `uncheckableCap` ends a step first. */
export type SpentByScope = Record<Cap['scope'], number | null>;

/**
 * Before an attempt: it does not start when a cap has nothing left, or when what is spent plus
 * the step's forecast (the median) would pass it. Otherwise it may spend what is left under the
 * tightest cap.
 */
export function decideBeforeAttempt(caps: Cap[], spent: SpentByScope, forecast: Forecast, step: string): BudgetDecision {
  let tightest: Cap | undefined;
  let leftUsd: number | undefined;
  for (const cap of caps) {
    const known = spent[cap.scope];
    if (known === null) throw new Error(`what the ${cap.scope} scope spent is unknown: the step should have ended as uncheckable`);
    const spentUsd = roundCost(known);
    const stop = { scope: cap.scope, capUsd: cap.usd, source: cap.source, spentUsd, forecastUsd: forecast.usd, step };
    if (spentUsd >= cap.usd) return { go: false, stop: { ...stop, stage: 'spent' } };
    if (forecast.usd !== null && spentUsd + forecast.usd > cap.usd) return { go: false, stop: { ...stop, stage: 'forecast' } };
    const left = roundCost(cap.usd - spentUsd);
    if (leftUsd === undefined || left < leftUsd) {
      leftUsd = left;
      tightest = cap;
    }
  }
  return { go: true, leftUsd, tightest };
}

/** While a call runs: our own count of it has passed what was left. */
export function passesWhatIsLeft(leftUsd: number, callCostUsd: number): boolean {
  return callCostUsd > leftUsd;
}

/** `--max-budget-usd` for claude: what is left, rounded down to a millionth of a dollar (never 0). */
export function maxBudgetArgument(leftUsd: number): string {
  // The small addend keeps float noise (0.46 * 1e6 = 459999.99999999994) from losing a millionth.
  return String(Math.max(Math.floor(leftUsd * 1e6 + 1e-6), 1) / 1e6);
}

const usd = (value: number): string => `$${value.toFixed(4)}`;

/** One line naming the cap, its amount, what was spent and the forecast. */
export function describeStop(stop: BudgetStop): string {
  const cap = `${stop.scope} cap ${usd(stop.capUsd)} (${stop.source})`;
  const forecast = stop.forecastUsd === null ? 'no forecast' : `forecast ${usd(stop.forecastUsd)}`;
  switch (stop.stage) {
    case 'forecast':
      return `budget: step ${stop.step} not started: spent ${usd(stop.spentUsd)} + ${forecast} would pass the ${cap}`;
    case 'spent':
      return `budget: step ${stop.step} not started: the ${cap} is spent (${usd(stop.spentUsd)}; ${forecast})`;
    case 'in-call':
      return `budget: the ${cap} was reached in step ${stop.step}: spent ${usd(stop.spentUsd)}, ${forecast}`;
  }
}

/**
 * A cap over a cost nobody could price (no table knows the model, and Claude Code gave no cost
 * for it): it cannot be checked, so the run stops, naming the models and the lines to add.
 */
export function uncheckableCap(cap: Cap, models: string[]): { status: 'failed'; error: string; uncheckable?: true } {
  const names = models.length > 0 ? models.join(', ') : 'a model';
  const error =
    `budget: the cost of ${names} is unknown, so the ${cap.scope} cap ${usd(cap.usd)} (${cap.source}) cannot be checked. ` +
    `Add its price to claude-project.yaml, then run again:\n${pricingSnippet(models)}`;
  return { status: 'failed', error, uncheckable: true };
}
