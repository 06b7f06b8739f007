import { unpricedModels } from '../usage/math.js';
import type { ModelTokenUsage, TokenUsage } from '../usage/types.js';

/** How counts, costs and usage read in every text output: footers, progress, tables, logs. */

/**
 * A count with thousands separators ("1,234,567"), as en-US would print it. Written out because
 * the first Intl.NumberFormat of a process costs ~20 ms of ICU start-up, paid before the first
 * step could start.
 */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const [whole = '', fraction] = String(Math.abs(value)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${value < 0 ? '-' : ''}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
}

/** `$0.4210`, or `unknown` for a cost with no price behind it. */
export function formatCost(value: number | null): string {
  return value === null ? 'unknown' : `$${value.toFixed(4)}`;
}

/** The warning every output gives for usage it cannot price, naming the models; undefined when all are priced. */
export function unpricedWarning(usage: ModelTokenUsage): string | undefined {
  const models = unpricedModels(usage);
  return models.length === 0 ? undefined : unpricedWarningFor(models);
}

export function unpricedWarningFor(models: string[]): string {
  return `warning: no price for ${models.join(', ')}: cost unknown (add it under \`pricing:\` in claude-project.yaml)`;
}

const LABELS = {
  full: ['input', 'output', 'cache write', 'cache read'],
  brief: ['in', 'out', 'cache w', 'cache r'],
} as const;

type UsageCounts = Pick<TokenUsage, 'inputTokens' | 'outputTokens' | 'cacheCreationInputTokens' | 'cacheReadInputTokens'>;

/** The four counts of a usage line: `input 12,340 · output 1,205 · cache write 3,000 · cache read 45,000`. */
export function formatTokenCounts(usage: UsageCounts, style: keyof typeof LABELS = 'full'): string {
  const [input, output, cacheWrite, cacheRead] = LABELS[style];
  return [
    `${input} ${formatCount(usage.inputTokens)}`,
    `${output} ${formatCount(usage.outputTokens)}`,
    `${cacheWrite} ${formatCount(usage.cacheCreationInputTokens)}`,
    `${cacheRead} ${formatCount(usage.cacheReadInputTokens)}`,
  ].join(' · ');
}

/**
 * The one usage line of every text output: `input 12,340 · output 1,205 · cache write 3,000 ·
 * cache read 45,000 · $0.4210`; `brief` (progress): `in 12,340 · out 1,205 · cache w 3,000 · cache r 45,000 · $0.4210`.
 */
export function formatUsageLine(usage: UsageCounts & Pick<TokenUsage, 'costUsd'>, style: keyof typeof LABELS = 'full'): string {
  return `${formatTokenCounts(usage, style)} · ${formatCost(usage.costUsd)}`;
}
