import { COMPARED_FIELDS, type BillingRecord } from '../state/billing-record.js';
import { roundCost } from '../usage/math.js';
import type { ModelTokenUsage } from '../usage/types.js';
import { usageCellTable } from './table-cells.js';
import { unpricedSummaryWarning } from './usage-table.js';
import { summarizeUsage, type UsageSummary } from './usage-summary.js';

/**
 * What `run`, `sequence` and `merge` tell GitHub Actions when they end: a Markdown job summary
 * (appended to $GITHUB_STEP_SUMMARY) and step outputs (appended to $GITHUB_OUTPUT).
 */
export interface CiRunReport {
  /** What ran, as the summary's heading names it: `run tasks/a.md`, `sequence tasks (shard 1/4)`, `merge`. */
  title: string;
  phase: string;
  tasksDone: number;
  tasksFailed: number;
  tasksTotal: number;
  stateFile: string;
  usage: ModelTokenUsage;
  /** The last `reconcile` of this task or sequence, if there was one. */
  billing: BillingRecord | undefined;
}

/** The table's rows and totals, computed once for every section. */
interface SummaryInput {
  report: CiRunReport;
  summary: UsageSummary;
}

/** Table cells are Markdown: a `|` or a line break in a name would end the cell or the row. */
const cell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const row = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;

/** What the last `reconcile` says of one model: its status, or `mismatch` only where that model differs. */
function reconcileCell(billing: BillingRecord, model: string | undefined): string {
  if (model === undefined) return billing.status;
  const difference = billing.difference[model];
  if (billing.status !== 'mismatch') return billing.billed[model] || difference ? billing.status : '-';
  return difference && COMPARED_FIELDS.some((field) => difference[field] !== 0) ? 'mismatch' : 'matches';
}

function heading({ report }: SummaryInput): string {
  return `### claude-project ${report.title}: ${report.phase}`;
}

function tasksLine({ report }: SummaryInput): string {
  return `${report.tasksDone}/${report.tasksTotal} task(s) done, ${report.tasksFailed} failed · state \`${report.stateFile}\``;
}

function usageTable({ report, summary }: SummaryInput): string {
  const table = usageCellTable(summary);
  const billing = report.billing;
  const headers = billing ? [...table.headers, 'reconcile'] : table.headers;
  const models = [...summary.models.map((m) => m.model), undefined];
  const rows = table.rows.map((cells, index) => {
    const withStatus = billing ? [...cells, reconcileCell(billing, models[index])] : cells;
    return index === table.rows.length - 1 ? withStatus.map((c) => `**${c}**`) : withStatus;
  });
  const align = headers.map((_, column) => (table.textColumns.includes(column) || column >= table.headers.length ? '---' : '---:'));
  return [row(headers), `| ${align.join(' | ')} |`, ...rows.map(row)].join('\n');
}

function reconcileLine({ report }: SummaryInput): string | undefined {
  const billing = report.billing;
  if (!billing) return 'Not reconciled with the Admin API yet (`claude-project reconcile`).';
  return `Reconciled with the Admin API: **${billing.status}** (checked ${billing.checkedAt}, window ${billing.window.start} – ${billing.window.end}).`;
}

function unpricedLine({ summary }: SummaryInput): string | undefined {
  return unpricedSummaryWarning(summary);
}

/**
 * The summary's sections, in order; a section with nothing to say returns undefined. A new
 * section (for instance useful against wasted cost) is one more function in this list.
 */
const SECTIONS: Array<(input: SummaryInput) => string | undefined> = [heading, tasksLine, usageTable, unpricedLine, reconcileLine];

/** The Markdown appended to $GITHUB_STEP_SUMMARY: sections separated by blank lines, ending in one. */
export function stepSummaryMarkdown(report: CiRunReport): string {
  const input = { report, summary: summarizeUsage(report.usage) };
  return `${SECTIONS.map((section) => section(input))
    .filter((text) => text !== undefined)
    .join('\n\n')}\n\n`;
}

/**
 * The step outputs, in the order documented. Every value is one line, so each is written as
 * `name=value`. An unknown cost (a model without a price) is the empty string.
 */
export function stepOutputs(report: CiRunReport): Array<[name: string, value: string]> {
  const { total } = summarizeUsage(report.usage);
  return [
    ['cost-usd', total.costUsd === null ? '' : String(roundCost(total.costUsd))],
    ['input-tokens', String(total.inputTokens)],
    ['output-tokens', String(total.outputTokens)],
    ['cache-write-tokens', String(total.cacheCreationInputTokens)],
    ['cache-read-tokens', String(total.cacheReadInputTokens)],
    ['tasks-done', String(report.tasksDone)],
    ['tasks-failed', String(report.tasksFailed)],
    ['phase', report.phase],
    ['reconcile', report.billing?.status ?? ''],
  ];
}

/** The lines appended to $GITHUB_OUTPUT. */
export function stepOutputsText(report: CiRunReport): string {
  return stepOutputs(report)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('');
}
