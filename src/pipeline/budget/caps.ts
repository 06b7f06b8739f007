import type { ProjectConfig } from '../../config/types.js';
import { UserError } from '../../errors/user-error.js';
import type { Cap } from '../../state/budget-record.js';
import { PriceTable } from '../../usage/pricing.js';
import { pricingSnippet } from '../../usage/pricing-snippet.js';

/** `--max-usd` sets the task's cap on `run` and the sequence's on `sequence`, over the config's. */
export function withMaxUsd(config: ProjectConfig, command: 'run' | 'sequence', maxUsd: number | undefined): ProjectConfig {
  if (maxUsd === undefined) return config;
  const key = command === 'run' ? 'taskUsd' : 'sequenceUsd';
  return { ...config, budget: { ...config.budget, [key]: maxUsd, fromFlag: key } };
}

function sourceOf(config: ProjectConfig, key: 'sequenceUsd' | 'taskUsd'): string {
  return config.budget.fromFlag === key ? '--max-usd' : `budget.${key}`;
}

/** The caps over one step, widest scope first: sequence, task, step. */
export function capsForStep(config: ProjectConfig, stepIndex: number): Cap[] {
  const { budget } = config;
  const step = config.pipeline[stepIndex]!;
  const caps: Cap[] = [];
  if (budget.sequenceUsd !== undefined) caps.push({ scope: 'sequence', usd: budget.sequenceUsd, source: sourceOf(config, 'sequenceUsd') });
  if (budget.taskUsd !== undefined) caps.push({ scope: 'task', usd: budget.taskUsd, source: sourceOf(config, 'taskUsd') });
  if (step.cap) caps.push({ scope: 'step', step: step.name, ...step.cap });
  return caps;
}

/** Every cap of the pipeline (sequence and task once, then each step's), as recorded in the state. */
export function allCaps(config: ProjectConfig): Cap[] {
  const perStep = config.pipeline.map((_, index) => capsForStep(config, index));
  const wide = (perStep[0] ?? []).filter((cap) => cap.scope !== 'step');
  return [...wide, ...perStep.flatMap((caps) => caps.filter((cap) => cap.scope === 'step'))];
}

/**
 * Before anything runs, the model of every step is looked up in the price tables. A cap over a
 * step whose model no table prices is refused (what it spends might not be countable: Claude
 * Code's own cost is the only fallback, and it is not always there); without a cap such a
 * model is warned about, once.
 */
export function checkStepModelsPriced(config: ProjectConfig, warn: (line: string) => void): void {
  const prices = PriceTable.withOverrides(config.pricing);
  const unpriced = new Map<string, string[]>();
  config.pipeline.forEach((step, index) => {
    const { model } = step;
    if (prices.lookup(model)) return;
    const [cap] = capsForStep(config, index);
    if (cap) {
      throw new UserError(
        `${config.file}: ${step.modelKey}: ${model} has no known price, so the cap ${cap.source} ($${cap.usd}) cannot be checked ` +
          `for step ${step.name}. Add its price to the config, use a model with a known price, or remove the cap:\n${pricingSnippet([model])}`,
      );
    }
    unpriced.set(model, [...(unpriced.get(model) ?? []), step.name]);
  });
  for (const [model, steps] of unpriced) {
    warn(
      `warning: no price for ${model} (step ${steps.join(', ')}): its cost will be Claude Code's own, or unknown. ` +
        `\`claude-project prices\` lists the models priced; add it under \`pricing:\` in ${config.file}.`,
    );
  }
}
