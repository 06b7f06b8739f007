import { COMPARED_FIELDS, type BillingRecord } from '../state/billing-record.js';
import { taskSpend, WASTE_REASONS, type WasteReason } from '../state/spend-split.js';
import type { SpendStats } from '../state/spend-totals.js';
import type { TaskState } from '../state/task-state.js';
import { roundCost, totalOf } from '../usage/math.js';
import type { ModelTokenUsage } from '../usage/types.js';
import { usageCellTable } from './table-cells.js';
import { unpricedSummaryWarning } from './usage-table.js';
import { summarizeUsage, tokenCount, type UsageSummary } from './usage-summary.js';
import { costPerPassedTaskData, reasonWords } from './spend-data.js';
import { formatCost, formatCount } from '../format/format-usage.js';

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
  /** The spend split into useful and waste; undefined when a state written before it was kept cannot say. */
  spend: CiSpend | undefined;
}

/** Useful and wasted usage per model, and (where the task states were read) the waste by reason. */
export interface CiSpend {
  useful: ModelTokenUsage;
  waste: ModelTokenUsage;
  reasons?: Array<{ reason: WasteReason; attempts: number; costUsd: number | null }>;
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

/** Useful against wasted cost and tokens, per model; then the waste by reason and the cost per passed task. */
function spendSection({ report }: SummaryInput): string {
  const perTask = costPerPassedTaskData(totalOf(report.usage).costUsd, report.tasksDone);
  const perTaskText =
    perTask.status === 'no-task-done' ? 'none yet (no task done)' : `${formatCost(perTask.usd)} (${report.tasksDone} done)`;
  if (!report.spend)
    return `Cost per passed task: ${perTaskText}. Useful vs waste: not recorded in this state (written by an older version).`;
  const { useful, waste } = report.spend;
  const models = summarizeUsage(report.usage).models.map((m) => m.model);
  const cells = (usage: ModelTokenUsage, model?: string): string[] => {
    const part = model === undefined ? totalOf(usage) : usage[model];
    return part
      ? [formatCount(tokenCount({ ...part, claudeCostUsd: null, priceSource: null })), formatCost(part.costUsd)]
      : ['0', formatCost(0)];
  };
  const lines = [
    row(['model', 'useful tokens', 'useful cost', 'waste tokens', 'waste cost']),
    '| --- | ---: | ---: | ---: | ---: |',
    ...models.map((model) => row([model, ...cells(useful, model), ...cells(waste, model)])),
    row(['total', ...cells(useful), ...cells(waste)].map((c) => `**${c}**`)),
  ];
  const reasons = report.spend.reasons?.filter((r) => r.attempts > 0) ?? [];
  const why =
    report.spend.reasons === undefined
      ? ''
      : reasons.length === 0
        ? 'Nothing wasted. '
        : `Waste: ${reasons.map((r) => `${reasonWords(r.reason, r.attempts)} ${formatCost(r.costUsd)}`).join(', ')}. `;
  return `#### Useful vs waste\n\n${lines.join('\n')}\n\n${why}Cost per passed task: ${perTaskText}.`;
}

/** A task's split, with its reasons. */
export function ciSpendOfTask(state: TaskState): CiSpend {
  const split = taskSpend(state);
  return {
    useful: split.useful.usage,
    waste: split.waste.usage,
    reasons: WASTE_REASONS.map((reason) => ({
      reason,
      attempts: split.byReason[reason].attempts,
      costUsd: split.byReason[reason].costUsd,
    })),
  };
}

/** A sequence's split, from its state's totals (no reasons: the sequence state does not keep them). */
export function ciSpendOfSequence(stats: SpendStats): CiSpend | undefined {
  return stats.usefulTokenUsage && stats.wasteTokenUsage ? { useful: stats.usefulTokenUsage, waste: stats.wasteTokenUsage } : undefined;
}

function unpricedLine({ summary }: SummaryInput): string | undefined {
  return unpricedSummaryWarning(summary);
}

/** The summary's sections, in order; a section with nothing to say returns undefined. */
const SECTIONS: Array<(input: SummaryInput) => string | undefined> = [
  heading,
  tasksLine,
  usageTable,
  unpricedLine,
  spendSection,
  reconcileLine,
];

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
    ['cost-per-passed-task-usd', perPassedTaskOutput(total.costUsd, report.tasksDone)],
  ];
}

/** Empty when no task is done (nothing to divide by) or a cost is unknown. */
function perPassedTaskOutput(costUsd: number | null, tasksDone: number): string {
  const { usd } = costPerPassedTaskData(costUsd, tasksDone);
  return usd === null ? '' : String(roundCost(usd));
}

/** The lines appended to $GITHUB_OUTPUT. */
export function stepOutputsText(report: CiRunReport): string {
  return stepOutputs(report)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('');
}
