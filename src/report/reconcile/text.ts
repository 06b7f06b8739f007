import { causeText } from '../billing-verdict.js';
import { formatCost } from '../../format/format-usage.js';
import { alignColumns } from '../usage-table.js';
import type { ReconcileDocument } from './document.js';
import { COMPARISON_HEADERS, comparisonRows } from './rows.js';

const MEANING = {
  verified: 'what was billed to the key in these minutes equals what was recorded, for every model and count',
  mismatch: 'what was billed to the key in these minutes differs from what was recorded',
  pending: "billed is still below recorded: the provider's data may not have arrived yet (it usually takes up to 5 minutes)",
  'not-billed': 'Claude Code said these calls were not billed to an API key (a subscription login): there is no bill to check',
  skipped: 'nothing was reconciled',
} as const;

/** The human summary of a reconcile. */
export function formatReconcile(doc: ReconcileDocument): string {
  if (doc.status === 'skipped') return `reconcile: skipped · ${doc.reason}\n`;
  const lines = [`reconcile: ${doc.status} · ${MEANING[doc.status]}`];
  for (const cause of doc.causes) lines.push(`  likely cause: ${causeText(cause)}`);
  if (doc.status === 'not-billed') {
    lines.push(
      `  window ${doc.window!.start} to ${doc.window!.end} · the recorded costs are API-equivalent (what the API would have charged)`,
    );
  } else {
    lines.push(
      `  key ${doc.apiKeyId} · window ${doc.window!.start} to ${doc.window!.end} · ${doc.reads} Admin API read(s)`,
      alignColumns([COMPARISON_HEADERS, ...comparisonRows(doc.models)], '  ', [0, 1]),
    );
  }
  if (doc.sequence)
    lines.push(
      `  sequence ${doc.sequence.tasksDir}: ${doc.sequence.status}${doc.sequence.status === doc.status ? '' : ` · ${doc.sequence.verdict}`}`,
    );
  for (const task of doc.tasks) {
    const why = task.status === 'verified' ? '' : ` · ${task.verdict}`;
    lines.push(`  ${task.taskPath}: ${task.status}${why}`);
  }
  if (doc.costReport) {
    lines.push(
      `  cost report ${doc.costReport.days.start.slice(0, 10)} to ${doc.costReport.days.end.slice(0, 10)} (whole days, the organisation's other use included):`,
    );
    for (const row of doc.costReport.models)
      lines.push(`    ${row.model}: billed ${formatCost(row.billedUsd)} · recorded ${formatCost(row.recordedCostUsd)}`);
  }
  return `${lines.join('\n')}\n`;
}
