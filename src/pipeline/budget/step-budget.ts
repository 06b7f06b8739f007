import type { StepConfig } from '../../config/types.js';
import type { BudgetStop, Cap, Forecast } from '../../state/budget-record.js';
import type { TaskState } from '../../state/task-state.js';
import type { TaskStore } from '../../state/task-store.js';
import type { RunContext } from '../run-context.js';
import { updateStep } from '../step-state-ops.js';
import { allCaps, capsForStep } from './caps.js';
import { decideBeforeAttempt, describeStop, uncheckableCap } from './decide.js';
import { folderCosts } from './folder-costs.js';
import { forecastOf } from './forecast.js';
import { costsOf, spentIn, type Spent, type TaskCosts } from './costs.js';

/** What a claude call may spend: what is left under the tightest cap. */
export interface CallBudget {
  leftUsd: number;
}

export type BudgetEnd =
  | { status: 'budget-exceeded'; error: string; stop: BudgetStop }
  /** A cap over a cost nobody could price: the run stops as on bad input (exit 2). */
  | { status: 'failed'; error: string; uncheckable?: true };

/**
 * The budget of one step: before each attempt (retries and usage-limit re-runs included) it
 * reads what is spent in the state folder, forecasts the step and decides whether the attempt
 * may start and with how much; after claude was stopped by a cap, it names the stop.
 */
export class StepBudget {
  private readonly caps: Cap[];
  private tightest: Cap | undefined;
  private forecast: Forecast | undefined;

  constructor(
    private readonly ctx: RunContext,
    private readonly store: TaskStore,
    private readonly step: StepConfig,
    stepIndex: number,
  ) {
    this.caps = capsForStep(ctx.config, stepIndex);
  }

  async beforeAttempt(): Promise<{ go: true; call: CallBudget | undefined } | { go: false; end: BudgetEnd }> {
    const { own, others } = await this.folder();
    const forecast = forecastOf([costsOf(own.state), ...others], this.step.name);
    // Without caps nothing is checked, so a cost that is not known stops nothing.
    const spent = spentIn(own.state, others, this.step.name);
    const unknown = this.uncheckable(spent);
    if (unknown) return { go: false, end: unknown };
    const decision = decideBeforeAttempt(this.caps, spent, forecast, this.step.name);
    this.forecast = forecast;
    this.tightest = decision.go ? decision.tightest : undefined;
    await this.record(forecast, decision.go ? undefined : decision.stop);
    if (!decision.go) return { go: false, end: { status: 'budget-exceeded', error: describeStop(decision.stop), stop: decision.stop } };
    return { go: true, call: decision.leftUsd === undefined ? undefined : { leftUsd: decision.leftUsd } };
  }

  /** After an attempt stopped by a cap: the stop, with what is spent now under the tightest cap. */
  async stopInCall(): Promise<BudgetEnd> {
    const cap = this.tightest ?? this.caps[0]!;
    const { own, others } = await this.folder();
    const spent = spentIn(own.state, others, this.step.name);
    const spentUsd = spent[cap.scope];
    const unknown = this.uncheckable(spent);
    if (unknown || spentUsd === null) return unknown ?? uncheckableCap(cap, spent.unpriced);
    const stop: BudgetStop = {
      scope: cap.scope,
      capUsd: cap.usd,
      source: cap.source,
      spentUsd,
      forecastUsd: this.forecast?.usd ?? null,
      step: this.step.name,
      stage: 'in-call',
    };
    await this.store.update((task) => ({ ...task, budget: { caps: allCaps(this.ctx.config), stop } }));
    return { status: 'budget-exceeded', error: describeStop(stop), stop };
  }

  /** After the step's last attempt: its end if a cap cannot be checked any more (what is spent is unknown). */
  async uncheckableNow(): Promise<BudgetEnd | undefined> {
    if (this.caps.length === 0) return undefined;
    const { own, others } = await this.folder();
    return this.uncheckable(spentIn(own.state, others, this.step.name));
  }

  /** The end of a step whose caps cannot be checked: what a scope spent is unknown. */
  private uncheckable(spent: Spent): BudgetEnd | undefined {
    const cap = this.caps.find((c) => spent[c.scope] === null);
    return cap && uncheckableCap(cap, spent.unpriced);
  }

  /** The running task's state (the freshest) and the costs of the folder's other task states. */
  private async folder(): Promise<{ own: { file: string; state: TaskState }; others: TaskCosts[] }> {
    const state = (await this.store.read()) ?? (await this.store.update((task) => task));
    const others = await folderCosts(this.ctx.config.statePath, this.store.file, this.caps.length > 0);
    return { own: { file: this.store.file, state }, others };
  }

  private async record(forecast: Forecast, stop: BudgetStop | undefined): Promise<void> {
    const caps = allCaps(this.ctx.config);
    await this.store.update((task) => ({
      ...updateStep(task, this.step.name, this.step.model, (s) => ({ ...s, forecast })),
      ...(caps.length > 0 ? { budget: { caps, ...(stop && { stop }) } } : { budget: undefined }),
    }));
  }
}
