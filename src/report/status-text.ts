import { formatCost } from '../format/format-usage.js';
import type { BillingData } from './billing-data.js';
import type { StatusData, TaskData } from './status-data.js';
import { formatCaps } from './budget-data.js';
import { forecastTable, stepsTable } from './table-cells.js';
import { summaryTable, tableText } from './usage-table.js';
import { costPerPassedTaskText } from './spend-data.js';
import { subagentLines } from './subagent-text.js';

function billingLine(billing: BillingData): string {
  const shared = billing.sharedWith.length > 0 ? ` with ${billing.sharedWith.join(', ')}` : '';
  const key = billing.apiKeyId === null ? '' : `, key ${billing.apiKeyId}`;
  const why = billing.status === 'verified' && billing.causes.length === 0 ? '' : ` · ${billing.verdict}`;
  return `billing: ${billing.status}${shared} (reconciled ${billing.checkedAt}${key})${why}`;
}

/** A cost that was not charged (a subscription login) says so. */
export const costLabel = (task: Pick<TaskData, 'costBasis'>): string => (task.costBasis === 'api-equivalent' ? ' API-equivalent' : '');

export function taskBlock(task: TaskData): string {
  if (task.phase === 'not-run') return `${task.taskPath}: not run yet`;
  const waiting = task.waitingUntil ? ` until ${task.waitingUntil}` : '';
  const lines = [
    `${task.taskName} (${task.taskPath}): ${task.phase}${waiting}${task.error ? ` · ${task.error}` : ''} · ${formatCost(task.total.costUsd)}${costLabel(task)}`,
  ];
  if (task.budget) lines.push(`  budget: ${formatCaps(task.budget)}`);
  if (task.steps.length > 0) lines.push(`  ${task.spend.sentence}`, tableText(stepsTable(task.steps), '  '));
  const subagents = subagentLines(task);
  if (subagents.length > 0) lines.push('  subagents:', ...subagents.map((line) => `  ${line}`));
  const forecasts = forecastTable(task.steps);
  if (forecasts) lines.push(`\n  forecast vs actual (USD)\n${tableText(forecasts, '  ')}`);
  if (task.malformedLines > 0) lines.push(`  malformed stream lines: ${task.malformedLines}`);
  if (task.billing) lines.push(`  ${billingLine(task.billing)}`);
  return lines.join('\n');
}

/** The `status` command's text: each task's steps per model, then totals over what is shown. */
export function formatStatus(data: StatusData): string {
  if (data.tasks.length === 0) return 'No task state found: nothing has run yet.\n';
  return `${data.tasks.map(taskBlock).join('\n\n')}\n\n${statusEnd(data.sequence, data.totals)}`;
}

/** What follows the task blocks: the sequence, then the totals over the tasks shown. */
export function statusEnd(sequence: StatusData['sequence'], totals: StatusData['totals']): string {
  const total = `Total over ${totals.tasks} task(s)`;
  const heading = sequence
    ? `Sequence ${sequence.tasksDir}: ${sequence.phase} · ${sequence.tasksCompleted}/${sequence.tasksTotal} done, ${sequence.tasksFailed} failed` +
      `${sequence.budget ? ` · budget: ${formatCaps(sequence.budget)}` : ''}\n${sequence.billing ? `${billingLine(sequence.billing)}\n` : ''}${total}`
    : total;
  const spend = totals.tasksRun > 0 ? `  ${totals.spend.sentence}\n  ${costPerPassedTaskText(totals.costPerPassedTask)}\n` : '';
  return `${heading}\n${summaryTable(totals, '  ')}\n${spend}`;
}
