import { formatCost, formatCount, formatTokenCounts } from '../../format/format-usage.js';
import { formatDuration } from '../../format/format-duration.js';
import type { StatusData, TaskData } from '../status-data.js';
import { formatCaps } from '../budget-data.js';
import { forecastTable, stepsTable, usageCellTable, type CellTable } from '../table-cells.js';
import { cacheHitRatio, tokenCount, type ModelUsageRow } from '../usage-summary.js';
import { unpricedSummaryWarning } from '../usage-table.js';
import { barChart, type BarRow } from './bar-chart.js';
import { billingSection } from './billing-section.js';
import { modelColors } from './colors.js';
import { escapeHtml } from './escape.js';
import { STYLE } from './style.js';
import { spendChart } from './spend-chart.js';
import { costPerPassedTaskText } from '../spend-data.js';

const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

function tokenTitle(row: ModelUsageRow): string {
  return `${row.model}: ${formatCount(tokenCount(row))} tokens (${formatTokenCounts(row)}) · ${formatCost(row.costUsd)}`;
}

function tokensChart(data: StatusData, color: (model: string) => string): string {
  const rows: BarRow[] = data.tasks
    .filter((task) => task.phase !== 'not-run')
    .map((task) => ({
      label: task.taskName,
      title: `${task.taskPath}: ${formatCount(tokenCount(task.total))} tokens`,
      valueText: formatCount(tokenCount(task.total)),
      data: { task: task.taskPath, tokens: tokenCount(task.total) },
      segments: task.models.map((row) => ({
        value: tokenCount(row),
        color: color(row.model),
        title: `${task.taskName} · ${tokenTitle(row)}`,
        data: { task: task.taskPath, model: row.model, tokens: tokenCount(row) },
      })),
    }));
  return barChart({ name: 'tokens', label: 'Tokens per task, stacked by model', rows, tick: (v, step) => compactCount(v, step) });
}

function costChart(data: StatusData, color: (model: string) => string): string {
  const rows: BarRow[] = data.tasks.flatMap((task) =>
    task.steps.map((step) => ({
      label: `${task.taskName} › ${step.name}`,
      title: `${task.taskPath} › ${step.name}: ${formatCost(step.total.costUsd)} (${step.status}, ${step.attempts.length} attempt(s))`,
      valueText: formatCost(step.total.costUsd),
      data: { task: task.taskPath, step: step.name, cost: step.total.costUsd ?? 'unknown' },
      // an unknown cost draws no bar; its value text says "unknown"
      segments: step.models.map((row) => ({
        value: row.costUsd ?? 0,
        color: color(row.model),
        title: `${task.taskName} › ${step.name} · ${row.model}: ${formatCost(row.costUsd)}`,
        data: { task: task.taskPath, step: step.name, model: row.model, cost: row.costUsd ?? 'unknown' },
      })),
    })),
  );
  return barChart({ name: 'cost', label: 'Cost per step, stacked by model', rows, tick: (v, step) => `$${v.toFixed(decimalsFor(step))}` });
}

function cacheChart(data: StatusData, color: (model: string) => string): string {
  const rows: BarRow[] = data.totals.models.map((row) => {
    const ratio = cacheHitRatio(row);
    const prompt = row.inputTokens + row.cacheCreationInputTokens + row.cacheReadInputTokens;
    return {
      label: row.model,
      title: `${row.model}: cache read ${formatCount(row.cacheReadInputTokens)} of ${formatCount(prompt)} prompt tokens`,
      valueText: ratio === undefined ? 'no prompt tokens' : percent(ratio),
      data: { model: row.model },
      segments:
        ratio === undefined
          ? []
          : [
              {
                value: ratio,
                color: color(row.model),
                title: `${row.model}: ${percent(ratio)} of prompt tokens read from the cache`,
                data: { model: row.model, ratio, 'cache-read': row.cacheReadInputTokens, 'prompt-tokens': prompt },
              },
            ],
    };
  });
  return barChart({
    name: 'cache-hit',
    label: 'Cache hit ratio per model',
    rows,
    max: 1,
    track: true,
    tick: (v) => `${Math.round(v * 100)}%`,
  });
}

/** Enough decimals to tell ticks `step` apart: 0.25 → 2, 0.02 → 2, 0.005 → 3. */
function decimalsFor(step: number): number {
  let decimals = 0;
  while (decimals < 8 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-9) decimals++;
  return Math.max(decimals, 2);
}

/** An axis tick such as 250, 2.5k, 40k, 1.5M. */
function compactCount(value: number, step: number): string {
  if (value === 0) return '0';
  const [unit, suffix] = step >= 1e6 || value >= 1e7 ? [1e6, 'M'] : step >= 1e3 || value >= 1e4 ? [1e3, 'k'] : [1, ''];
  const scaled = value / unit;
  return `${Number.isInteger(Math.round(scaled * 10) / 10) ? Math.round(scaled) : (Math.round(scaled * 10) / 10).toFixed(1)}${suffix}`;
}

function htmlTable(table: CellTable, className: string, totalRow = false): string {
  const cell = (tag: string, text: string, column: number): string =>
    `<${tag}${table.textColumns.includes(column) ? '' : ' class="num"'}>${escapeHtml(text)}</${tag}>`;
  const head = `<tr>${table.headers.map((h, i) => cell('th', h, i)).join('')}</tr>`;
  const body = table.rows
    .map(
      (row, index) =>
        `<tr${totalRow && index === table.rows.length - 1 ? ' class="total"' : ''}>${row.map((c, i) => cell('td', c, i)).join('')}</tr>`,
    )
    .join('');
  return `<table class="${className}"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function unpricedNote(data: StatusData): string {
  const warning = unpricedSummaryWarning(data.totals);
  return warning ? `<p class="warning">${escapeHtml(warning)}</p>\n` : '';
}

function taskSection(task: TaskData): string {
  const phase = `<span class="phase phase-${escapeHtml(task.phase)}">${escapeHtml(task.phase === 'not-run' ? 'not run yet' : task.phase)}</span>`;
  const facts = [
    `<code>${escapeHtml(task.taskPath)}</code>`,
    phase,
    ...(task.phase === 'not-run'
      ? []
      : [
          task.costBasis === 'api-equivalent'
            ? `<span class="api-equivalent" title="not billed to an API key: what the API would have charged">${escapeHtml(formatCost(task.total.costUsd))} API-equivalent</span>`
            : formatCost(task.total.costUsd),
          `${formatCount(tokenCount(task.total))} tokens`,
        ]),
    ...(task.usageSource && task.usageSource !== 'result' ? [`usage source: ${task.usageSource}`] : []),
    ...(task.durationMs !== null ? [formatDuration(task.durationMs)] : []),
    ...(task.waitingUntil ? [`waiting until ${task.waitingUntil}`] : []),
    ...(task.malformedLines > 0 ? [`${task.malformedLines} malformed stream line(s)`] : []),
  ];
  const error = task.error ? `<p class="error">${escapeHtml(task.error)}</p>` : '';
  const steps =
    task.steps.length > 0 ? `<p class="spend">${escapeHtml(task.spend.sentence)}</p>${htmlTable(stepsTable(task.steps), 'steps')}` : '';
  const budget = task.budget ? `<p class="budget">budget: ${escapeHtml(formatCaps(task.budget))}</p>` : '';
  const forecasts = forecastTable(task.steps);
  const forecast = forecasts ? `<h4>Forecast vs actual per step (USD)</h4>${htmlTable(forecasts, 'forecast')}` : '';
  return `<section class="task" data-task="${escapeHtml(task.taskPath)}"><h3>${escapeHtml(task.taskName)}</h3><p class="facts">${facts.join(' · ')}</p>${error}${budget}${steps}${forecast}</section>`;
}

/** The card's value: the cost, `unknown`, or `–` while no task is done. */
function perPassedTask(data: StatusData): string {
  const { costPerPassedTask } = data.totals;
  return costPerPassedTask.status === 'no-task-done' ? '–' : formatCost(costPerPassedTask.usd);
}

function legend(models: string[], color: (model: string) => string): string {
  if (models.length === 0) return '';
  const items = models.map(
    (m) => `<li data-model="${escapeHtml(m)}"><span class="swatch" style="background:${escapeHtml(color(m))}"></span>${escapeHtml(m)}</li>`,
  );
  return `<ul class="legend">${items.join('')}</ul>`;
}

/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script, no network: its
 * Content-Security-Policy forbids any) drawn from the status data — the same numbers as
 * `status` and `status --json`.
 */
export function renderHtmlReport(data: StatusData): string {
  const models = data.totals.models.map((row) => row.model);
  const color = modelColors(models);
  const { total } = data.totals;
  const overallRatio = cacheHitRatio(total);
  const sequence = data.sequence
    ? `<p class="sequence">Sequence <code>${escapeHtml(data.sequence.tasksDir)}</code>: <span class="phase phase-${escapeHtml(data.sequence.phase)}">${escapeHtml(data.sequence.phase)}</span> · ${data.sequence.tasksCompleted}/${data.sequence.tasksTotal} done, ${data.sequence.tasksFailed} failed</p>`
    : '';
  const cards = [
    ['cost', formatCost(total.costUsd)],
    ['tokens', formatCount(tokenCount(total))],
    ['tasks run', `${data.totals.tasksRun}/${data.totals.tasks}`],
    ['cache hit', overallRatio === undefined ? '–' : percent(overallRatio)],
    ['wasted', formatCost(data.totals.spend.waste.total.costUsd)],
    ['per passed task', perPassedTask(data)],
  ]
    .map(
      ([label, value]) =>
        `<div class="card"><div class="card-value">${escapeHtml(value!)}</div><div class="card-label">${escapeHtml(label!)}</div></div>`,
    )
    .join('');
  const body =
    data.tasks.length === 0
      ? '<p>No task state found: nothing has run yet.</p>'
      : `<div class="cards" data-cost="${total.costUsd ?? 'unknown'}" data-tokens="${tokenCount(total)}">${cards}</div>
${sequence}
${unpricedNote(data)}${legend(models, color)}
<section><h2>Tokens per task, by model</h2><p class="note">input + output + cache write + cache read</p>${tokensChart(data, color)}</section>
<section><h2>Useful and wasted spend per task</h2><p class="note">${escapeHtml(data.totals.spend.sentence)} · ${escapeHtml(costPerPassedTaskText(data.totals.costPerPassedTask))}</p>${spendChart(data)}</section>
<section><h2>Cost per step</h2>${costChart(data, color)}</section>
<section><h2>Cache hit ratio per model</h2><p class="note">cache read ÷ (input + cache write + cache read)</p>${cacheChart(data, color)}</section>
<section><h2>Totals</h2>${htmlTable(usageCellTable(data.totals), 'usage', true)}</section>
${billingSection(data)}
<section><h2>Tasks</h2>${data.tasks.map(taskSection).join('\n')}</section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="claude-project">
<title>claude-project usage report</title>
<style>${STYLE}</style>
</head>
<body data-generated-at="${escapeHtml(data.generatedAt)}">
<header><h1>claude-project usage report</h1><p class="note">generated ${escapeHtml(data.generatedAt)}</p></header>
<main>
${body}
</main>
</body>
</html>
`;
}
