import { causeText } from '../billing-verdict.js';
import { formatCost } from '../../format/format-usage.js';
import type { ReconcileDocument } from './document.js';
import { COMPARISON_HEADERS, comparisonRows } from './rows.js';

const table = (headers: string[], rows: string[][]): string =>
  [headers, headers.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');

/** `--report FILE.md`: the evidence of one reconcile, to attach to a CI run. */
export function reconcileMarkdown(doc: ReconcileDocument): string {
  const parts = [`# claude-project reconcile: ${doc.status}`, '', `Checked at ${doc.checkedAt}.`];
  if (doc.status === 'skipped') return `${[...parts, '', `Nothing was reconciled: ${doc.reason}`].join('\n')}\n`;
  parts.push('', `**${doc.verdict}.**`);
  if (doc.status === 'not-billed') {
    parts.push(
      '',
      `- Window: ${doc.window!.start} to ${doc.window!.end} (UTC)`,
      '- The recorded costs are API-equivalent: what the API would have charged, not what was paid.',
    );
  } else {
    parts.push(
      '',
      `- API key: \`${doc.apiKeyId}\``,
      `- Window: ${doc.window!.start} to ${doc.window!.end} (UTC, minute buckets)`,
      `- Admin API reads: ${doc.reads}`,
    );
    if (doc.causes.length > 0)
      parts.push('', '## Likely causes', '', ...doc.causes.map((cause) => `- ${causeText(cause)} (\`${cause.cause}\`)`));
    parts.push('', '## Recorded vs billed', '', table(COMPARISON_HEADERS, comparisonRows(doc.models)));
  }
  if (doc.sequence || doc.tasks.length > 0) {
    const rows = [
      ...(doc.sequence
        ? [
            [
              `sequence ${doc.sequence.tasksDir}`,
              doc.sequence.status,
              `${doc.sequence.window.start} to ${doc.sequence.window.end}`,
              '',
              doc.sequence.verdict,
            ],
          ]
        : []),
      ...doc.tasks.map((t) => [t.taskPath, t.status, `${t.window.start} to ${t.window.end}`, t.sharedWith.join(', '), t.verdict]),
    ];
    parts.push('', '## Tasks', '', table(['task', 'status', 'window', 'shares minutes with', 'verdict'], rows));
  }
  if (doc.status === 'not-billed') return `${parts.join('\n')}\n`;
  const bucketRows = doc.buckets.flatMap((bucket) =>
    Object.entries(bucket.models).map(([model, c]) => [
      bucket.startingAt,
      model,
      String(c.inputTokens),
      String(c.outputTokens),
      String(c.cacheCreation5mInputTokens),
      String(c.cacheCreation1hInputTokens),
      String(c.cacheReadInputTokens),
    ]),
  );
  parts.push(
    '',
    '## Buckets used',
    '',
    bucketRows.length > 0
      ? table(['minute', 'model', 'input', 'output', 'cache write 5m', 'cache write 1h', 'cache read'], bucketRows)
      : 'No usage was billed to the key in the window.',
  );
  if (doc.costReport) {
    parts.push(
      '',
      `## Cost report (${doc.costReport.days.start.slice(0, 10)} to ${doc.costReport.days.end.slice(0, 10)}, whole UTC days; informational)`,
      '',
      table(
        ['model', 'billed', 'recorded'],
        doc.costReport.models.map((m) => [m.model, formatCost(m.billedUsd), formatCost(m.recordedCostUsd)]),
      ),
    );
  }
  return `${parts.join('\n')}\n`;
}
