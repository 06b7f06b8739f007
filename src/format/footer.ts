import { usageRows } from '../usage/rows.js';
import type { ModelTokenUsage, UsageSource } from '../usage/types.js';
import { formatUsageLine, unpricedWarning } from './format-usage.js';

export interface FooterInput {
  usage: ModelTokenUsage;
  source: UsageSource;
  /** A heading suffix such as "attempt 2"; none for the step's closing footer. */
  scope?: string;
  /** How the call or step ended, e.g. "passed", "timeout", "exit 1". */
  outcome?: string;
  malformedLines?: number;
}

/** The token-usage block that ends every step log. */
export function formatFooter(input: FooterInput): string {
  const heading = input.scope ? `--- Token Usage (${input.scope}) ---` : '--- Token Usage ---';
  const lines = [heading];
  for (const row of usageRows(input.usage)) {
    const line = `${row.label}: ${formatUsageLine(row.usage)}`;
    lines.push(row.isTotal ? `${line} (source: ${input.source})` : line);
  }
  if (input.outcome) lines.push(`outcome: ${input.outcome}`);
  if (input.malformedLines) lines.push(`malformed lines: ${input.malformedLines}`);
  const warning = unpricedWarning(input.usage);
  if (warning) lines.push(warning);
  return `${lines.join('\n')}\n`;
}
