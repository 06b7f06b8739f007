import { formatCount } from '../../format/format-usage.js';
import type { BillingData } from '../billing-data.js';
import type { StatusData } from '../status-data.js';
import { escapeHtml } from './escape.js';

const COUNTS = [
  ['inputTokens', 'input'],
  ['outputTokens', 'output'],
  ['cacheCreationInputTokens', 'cache write'],
  ['cacheReadInputTokens', 'cache read'],
] as const;

const signed = (n: number): string => (n > 0 ? `+${formatCount(n)}` : n < 0 ? `-${formatCount(-n)}` : '0');

function billingTable(label: string, billing: BillingData): string {
  const rows = billing.models.flatMap((row) =>
    COUNTS.map(
      ([field, name]) =>
        `<tr data-model="${escapeHtml(row.model)}" data-count="${field}" data-recorded="${row.recorded[field]}" data-billed="${row.billed[field]}">` +
        `<td>${escapeHtml(row.model)}</td><td>${name}</td><td class="num">${formatCount(row.recorded[field])}</td>` +
        `<td class="num">${formatCount(row.billed[field])}</td><td class="num">${signed(row.difference[field])}</td></tr>`,
    ),
  );
  const shared = billing.sharedWith.length > 0 ? ` · shares minutes with ${billing.sharedWith.map(escapeHtml).join(', ')}` : '';
  const key = billing.apiKeyId === null ? '' : `key <code>${escapeHtml(billing.apiKeyId)}</code> · `;
  const head =
    `<div class="billing" data-status="${escapeHtml(billing.status)}"><h3>${escapeHtml(label)}: <span class="phase">${escapeHtml(billing.status)}</span></h3>` +
    `<p class="verdict">${escapeHtml(billing.verdict)}</p>` +
    `<p class="note">${key}window ${escapeHtml(billing.window.start)} to ${escapeHtml(billing.window.end)} · reconciled ${escapeHtml(billing.checkedAt)}${shared}</p>`;
  if (billing.status === 'not-billed') return `${head}</div>`;
  return (
    head +
    `<table class="usage"><thead><tr><th>model</th><th>count</th><th class="num">recorded</th><th class="num">billed</th><th class="num">difference</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div>`
  );
}

/** Recorded vs billed per model, for the sequence and each task `reconcile` has checked; empty when none was. */
export function billingSection(data: StatusData): string {
  const parts = [
    ...(data.sequence?.billing ? [billingTable(`Sequence ${data.sequence.tasksDir}`, data.sequence.billing)] : []),
    ...data.tasks.flatMap((task) => (task.billing ? [billingTable(task.taskPath, task.billing)] : [])),
  ];
  return parts.length > 0
    ? `<section><h2>Recorded vs billed</h2><p class="note">the last reconcile against the Admin API's minute buckets</p>${parts.join('\n')}</section>`
    : '';
}
