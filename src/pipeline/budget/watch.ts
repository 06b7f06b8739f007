import { isAssistant, isResult, type StreamEvent } from '../../claude/stream-events.js';
import { passesWhatIsLeft } from './decide.js';

/** Claude Code's result when its own `--max-budget-usd` ended the call. */
export const MAX_BUDGET_SUBTYPE = 'error_max_budget_usd';

/**
 * Watches one claude call under a budget: claude stops itself (`--max-budget-usd`) after the
 * request that crosses what is left; should our own running count pass it first, `abort` stops
 * claude as a timeout would.
 */
export class BudgetWatch {
  private readonly controller = new AbortController();
  private stoppedByUs = false;
  private stoppedByClaude = false;

  constructor(
    readonly leftUsd: number,
    private readonly onStop: (callCostUsd: number) => void,
  ) {}

  /** `outer` (SIGINT/SIGTERM) or this watch stops the call. */
  signal(outer: AbortSignal): AbortSignal {
    return AbortSignal.any([outer, this.controller.signal]);
  }

  observe(event: StreamEvent, callCostUsd: () => number): void {
    if (isResult(event) && event.subtype === MAX_BUDGET_SUBTYPE) this.stoppedByClaude = true;
    if (!isAssistant(event) || this.stoppedByUs) return;
    const cost = callCostUsd();
    if (!passesWhatIsLeft(this.leftUsd, cost)) return;
    this.stoppedByUs = true;
    this.onStop(cost);
    this.controller.abort();
  }

  get stopped(): boolean {
    return this.stoppedByUs || this.stoppedByClaude;
  }
}
