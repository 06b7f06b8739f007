import { canonicalModel } from './model-name.js';

/**
 * The `pricing:` lines that would price these models, to paste into claude-project.yaml. The
 * values are placeholders the config refuses until they are replaced by the model's list prices.
 */
export function pricingSnippet(models: string[]): string {
  const entries = [...new Set(models.map(canonicalModel))].map(
    (model) => `  ${model}:\n    input: <USD per million input tokens>\n    output: <USD per million output tokens>\n`,
  );
  return `pricing:\n${entries.join('')}`;
}
