import { WASTE_REASONS } from '../../state/spend-split.js';
import { formatCost } from '../../format/format-usage.js';
import type { StatusData } from '../status-data.js';
import { barChart, type BarRow, type Segment } from './bar-chart.js';
import { escapeHtml } from './escape.js';

/**
 * Useful spend in green, each reason of waste in its own tone, running in blue-grey: none of them
 * a model's colour (colors.ts), so this chart is never read as one per model.
 */
export const SPEND_COLORS: Record<string, string> = {
  useful: '#2e7d32',
  'check-failed': '#c62828',
  error: '#6a1b9a',
  timeout: '#ef6c00',
  'rate-limited': '#f9a825',
  budget: '#5d4037',
  interrupted: '#757575',
  running: '#90a4ae',
};

const KINDS = ['useful', ...WASTE_REASONS, 'running'] as const;

/**
 * One stacked bar per task: its useful spend, then its waste by reason (USD). A part whose cost
 * is unknown draws nothing; the value text says "unknown".
 */
export function spendChart(data: StatusData): string {
  const rows: BarRow[] = data.tasks
    .filter((task) => task.phase !== 'not-run')
    .map((task) => {
      const parts = [
        { kind: 'useful', part: task.spend.useful },
        ...task.spend.byReason.map((r) => ({ kind: r.reason, part: r })),
        { kind: 'running', part: task.spend.running },
      ].filter(({ part }) => part.attempts > 0);
      const segments: Segment[] = parts.map(({ kind, part }) => ({
        value: part.total.costUsd ?? 0,
        color: SPEND_COLORS[kind]!,
        title: `${task.taskName} · ${kind}: ${part.attempts} attempt(s), ${formatCost(part.total.costUsd)}`,
        data: { task: task.taskPath, kind, attempts: part.attempts, cost: part.total.costUsd ?? 'unknown' },
      }));
      return {
        label: task.taskName,
        title: `${task.taskPath}: ${task.spend.sentence}`,
        valueText: `${formatCost(task.spend.waste.total.costUsd)} wasted of ${formatCost(task.total.costUsd)}`,
        data: {
          task: task.taskPath,
          waste: task.spend.waste.total.costUsd ?? 'unknown',
          useful: task.spend.useful.total.costUsd ?? 'unknown',
        },
        segments,
      };
    });
  const legend = KINDS.map(
    (kind) => `<li data-kind="${kind}"><span class="swatch" style="background:${SPEND_COLORS[kind]}"></span>${escapeHtml(kind)}</li>`,
  ).join('');
  const chart = barChart({
    name: 'spend',
    label: 'Useful and wasted spend per task, by reason',
    rows,
    tick: (v, step) => `$${v.toFixed(step >= 0.01 ? 2 : 4)}`,
  });
  return `<ul class="legend">${legend}</ul>${chart}`;
}
