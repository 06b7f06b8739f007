/**
 * `report --html FILE` on state files from a real run of the fake claude (fixture.ts), opened in
 * a real headless Chromium: the file is self-contained (the browser asks for nothing but the file
 * itself), and the charts are drawn with the right numbers — every bar segment's rendered width,
 * read against the chart's own axis, is the tokens (or cost, or cache hit ratio) the fake claude
 * billed for that model. The page is saved to test-output/report.png (and report.html) to be looked at.
 *
 * The browser is found by test/support/chromium.ts (CHROMIUM_BIN, else Debian's chromium, else the
 * one inside the devDependency @sparticuz/chromium), driven by playwright-core: nothing is
 * downloaded, playwright's own browsers are never used. No browser found fails every test here.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { type Project, REPO, cleanup, formatCount, type ModelTokenUsage, type TokenUsage } from '../integration/helpers.js';
import { AUTH, BILLING, LATER, expected, ranProject, tokens, totalOf, type Expected } from './fixture.js';
import { findChromium } from '../support/chromium.js';

const OUTPUT = path.join(REPO, 'test-output');
const WIDTH = 1200;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Segment extends Box {
  model: string;
  kind?: string;
  fill: string;
  value: number;
}
interface Bar {
  label: string;
  valueText: string;
  task?: string;
  step?: string;
  model?: string;
  track?: Box;
  segments: Segment[];
}
interface Chart {
  ticks: Array<{ text: string; x: number }>;
  bars: Bar[];
}
interface Rendered {
  charts: Record<string, Chart>;
  legend: Record<string, string>;
  kinds: Record<string, string>;
  cards: Record<string, string>;
  tables: string[][][];
  sections: Array<{ task: string; title: string; facts: string }>;
  resources: number;
  overflow: number;
}

/** Reads back what the page rendered: boxes in CSS pixels, colours as computed. */
const READ_PAGE = `(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
  const charts = {};
  for (const svg of document.querySelectorAll('svg.chart')) {
    charts[svg.dataset.chart] = {
      ticks: [...svg.querySelectorAll('line.grid')].map((line, i) => ({ text: svg.querySelectorAll('text.tick')[i].textContent, x: box(line).x })),
      bars: [...svg.querySelectorAll('g.bar')].map((g) => ({
        label: g.querySelector('text.label').lastChild.textContent,
        valueText: g.querySelector('text.value').textContent,
        task: g.dataset.task, step: g.dataset.step, model: g.dataset.model,
        track: g.querySelector('rect.track') ? box(g.querySelector('rect.track')) : undefined,
        segments: [...g.querySelectorAll('rect.segment')].map((rect) => ({
          ...box(rect), model: rect.dataset.model, kind: rect.dataset.kind, fill: getComputedStyle(rect).fill, value: Number(rect.dataset.value),
        })),
      })),
    };
  }
  const legend = Object.fromEntries([...document.querySelectorAll('.legend li[data-model]')].map((li) => [li.dataset.model, getComputedStyle(li.querySelector('.swatch')).backgroundColor]));
  const kinds = Object.fromEntries([...document.querySelectorAll('.legend li[data-kind]')].map((li) => [li.dataset.kind, getComputedStyle(li.querySelector('.swatch')).backgroundColor]));
  const cards = Object.fromEntries([...document.querySelectorAll('.card')].map((c) => [c.querySelector('.card-label').textContent, c.querySelector('.card-value').textContent]));
  const tables = [...document.querySelectorAll('table')].map((t) => [...t.rows].map((row) => [...row.cells].map((cell) => cell.textContent)));
  const sections = [...document.querySelectorAll('section.task')].map((s) => ({ task: s.dataset.task, title: s.querySelector('h3').textContent, facts: s.querySelector('.facts').textContent }));
  return { charts, legend, kinds, cards, tables, sections, resources: performance.getEntriesByType('resource').length, overflow: document.documentElement.scrollWidth - innerWidth };
})()`;

let project: Project;
let want: Expected;
let html: string;
let reportFile: string;
let stdout: string;
let exitCode: number | undefined;
let page: Rendered;
let requested: string[];
let logged: string[];

beforeAll(async () => {
  project = await ranProject();
  want = expected();
  reportFile = path.join(project.dir, 'out', 'usage.html');
  const run = await project.run(['report', '--html', 'out/usage.html', 'tasks']);
  ({ stdout, exitCode } = run);
  html = await readFile(reportFile, 'utf8');

  const found = await findChromium();
  const browser = await chromium.launch({ executablePath: found.executablePath, headless: true, args: found.args, env: found.env });
  try {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 900 }, deviceScaleFactor: 1 });
    // Every request of the context (the page, and any worker or popup it could start), and every
    // message the page logs: console calls of any level and the browser's own log entries (a
    // blocked load, a CSP violation), which playwright reports as console messages too.
    requested = [];
    logged = [];
    context.on('request', (request) => requested.push(request.url()));
    const tab = await context.newPage();
    tab.on('console', (message) => logged.push(`console.${message.type()}: ${message.text()} (${message.location().url})`));
    tab.on('pageerror', (error) => logged.push(`page error: ${error.stack ?? error.message}`));
    tab.on('crash', () => logged.push('the page crashed'));
    await tab.goto(pathToFileURL(reportFile).href, { waitUntil: 'load' });
    page = (await tab.evaluate(READ_PAGE)) as Rendered;
    await mkdir(OUTPUT, { recursive: true });
    await tab.screenshot({ path: path.join(OUTPUT, 'report.png'), fullPage: true, type: 'png' });
    await writeFile(path.join(OUTPUT, 'report.html'), html);
  } finally {
    await browser.close();
    await found.remove?.();
  }
  // The first run unpacks @sparticuz/chromium's browser (about 200 MB) into the temp folder.
}, 180_000);
afterAll(cleanup);

/** Models as the report orders them: highest cost first. */
const byCost = (usage: ModelTokenUsage): [string, TokenUsage][] =>
  Object.entries(usage).sort(([, a], [, b]) => (b.costUsd ?? Infinity) - (a.costUsd ?? Infinity));
const cost = (usd: number | null): string => (usd === null ? 'unknown' : `$${usd.toFixed(4)}`);
const ratio = (u: TokenUsage): number => u.cacheReadInputTokens / (u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens);
const percent = (r: number): string => `${(r * 100).toFixed(1)}%`;
/** How far a rendered edge may be from where the numbers put it, in CSS pixels (layout rounding). */
const PX = 0.6;

/** An axis label back to its value: "40k" → 40000, "$0.10" → 0.1, "75%" → 0.75. */
function tickValue(text: string): number {
  const m = /^\$?([\d.]+)([kM%]?)$/.exec(text);
  if (!m) throw new Error(`unexpected axis label ${JSON.stringify(text)}`);
  return Number(m[1]) * ({ k: 1e3, M: 1e6, '%': 0.01, '': 1 } as Record<string, number>)[m[2]!]!;
}

/**
 * The chart's scale as drawn: where its axis starts, and pixels per unit, from the first and last
 * grid lines and their labels. Every other label must sit where the scale puts its value.
 */
function scaleOf(chart: Chart): { x0: number; perUnit: number } {
  const first = chart.ticks[0]!;
  const last = chart.ticks.at(-1)!;
  expect(tickValue(first.text)).toBe(0);
  const perUnit = (last.x - first.x) / tickValue(last.text);
  for (const tick of chart.ticks) expect(Math.abs(first.x + tickValue(tick.text) * perUnit - tick.x)).toBeLessThan(PX);
  return { x0: first.x, perUnit };
}

/** Segments laid end to end from the axis start, each as long as its value on the chart's scale. */
function expectBar(bar: Bar, chart: Chart, parts: Array<[string, number]>): void {
  const { x0, perUnit } = scaleOf(chart);
  expect(bar.segments.map((s) => s.model)).toEqual(parts.map(([model]) => model));
  let x = x0;
  bar.segments.forEach((segment, i) => {
    const [model, value] = parts[i]!;
    expect(Math.abs(segment.x - x)).toBeLessThan(PX);
    expect(Math.abs(segment.width - value * perUnit)).toBeLessThan(PX);
    expect(segment.height).toBeGreaterThan(10);
    expect(segment.fill).toBe(page.legend[model]);
    x += segment.width;
  });
}

describe('report --html', () => {
  it('writes one self-contained file: no script, no stylesheet or image to fetch, no URL; says where it is', () => {
    expect(exitCode).toBe(0);
    expect(stdout).toBe(`report: ${reportFile} · 2/3 task(s) run · ${cost(totalOf(want.all).costUsd)}`);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed|audio|video|source)\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  });

  it('in Chromium, asks for nothing but the file itself, logs no error and fits the window', () => {
    expect(requested).toEqual([pathToFileURL(reportFile).href]);
    expect(page.resources).toBe(0);
    expect(logged).toEqual([]);
    expect(page.overflow).toBeLessThanOrEqual(0);
  });

  it('tokens per task: one bar per task that ran, a segment per model as long as its tokens', () => {
    const chart = page.charts.tokens!;
    expect(chart.bars.map((b) => b.task)).toEqual([AUTH, BILLING]);
    for (const bar of chart.bars) {
      const usage = want.tasks[bar.task!]!;
      expect(bar.label).toBe(path.basename(bar.task!, '.md'));
      expect(bar.valueText).toBe(formatCount(tokens(totalOf(usage))));
      expectBar(
        bar,
        chart,
        byCost(usage).map(([model, u]) => [model, tokens(u)]),
      );
    }
    // 01-auth used three models (Opus to plan, Sonnet and a Haiku subagent to implement).
    expect(chart.bars[0]!.segments.map((s) => s.model)).toHaveLength(3);
  });

  it('cost per step: one bar per step, a segment per model as long as its cost', () => {
    const chart = page.charts.cost!;
    const steps = [AUTH, BILLING].flatMap((task) => ['plan', 'implement'].map((step) => [task, step] as const));
    expect(chart.bars.map((b) => [b.task, b.step])).toEqual(steps);
    for (const bar of chart.bars) {
      const usage = want.steps[bar.task!]![bar.step!]!;
      expect(bar.label).toBe(`${path.basename(bar.task!, '.md')} › ${bar.step}`);
      expect(bar.valueText).toBe(cost(totalOf(usage).costUsd));
      expectBar(
        bar,
        chart,
        byCost(usage).map(([model, u]) => [model, u.costUsd ?? 0]),
      );
    }
  });

  it('cache hit ratio per model: cache read ÷ (input + cache write + cache read), against a 0–100% track', () => {
    const chart = page.charts['cache-hit']!;
    const models = byCost(want.all);
    expect(chart.bars.map((b) => b.model)).toEqual(models.map(([model]) => model));
    const { x0, perUnit } = scaleOf(chart);
    for (const bar of chart.bars) {
      const r = ratio(want.all[bar.model!]!);
      expect(bar.valueText).toBe(percent(r));
      // The track is the whole 0–100% axis.
      expect(Math.abs(bar.track!.x - x0)).toBeLessThan(PX);
      expect(Math.abs(bar.track!.width - perUnit)).toBeLessThan(PX);
      expectBar(bar, chart, [[bar.model!, r]]);
    }
    // Opus 27,000 of 33,500 prompt tokens from the cache; Haiku none.
    expect(chart.bars.map((b) => b.valueText)).toEqual(['80.6%', '93.0%', '0.0%']);
  });

  it('useful and wasted spend: a bar per task, stacked useful then waste by reason, each as long as its cost', () => {
    const chart = page.charts.spend!;
    expect(chart.bars.map((b) => b.task)).toEqual([AUTH, BILLING]);
    const crashed = want.attempts[BILLING]!.implement![0]!;
    const billingTotal = totalOf(want.tasks[BILLING]!).costUsd!;
    const wasted = totalOf(crashed).costUsd!;
    const parts: Record<string, Array<[string, number]>> = {
      [AUTH]: [['useful', totalOf(want.tasks[AUTH]!).costUsd!]],
      [BILLING]: [
        ['useful', billingTotal - wasted],
        ['error', wasted],
      ],
    };
    const { x0, perUnit } = scaleOf(chart);
    for (const bar of chart.bars) {
      expect(bar.segments.map((s) => s.kind)).toEqual(parts[bar.task!]!.map(([kind]) => kind));
      let x = x0;
      bar.segments.forEach((segment, i) => {
        const [kind, value] = parts[bar.task!]![i]!;
        expect(Math.abs(segment.x - x)).toBeLessThan(PX);
        expect(Math.abs(segment.width - value * perUnit)).toBeLessThan(PX);
        expect(segment.fill).toBe(page.kinds[kind]);
        x += segment.width;
      });
    }
    expect(chart.bars[1]!.valueText).toBe(`${cost(wasted)} wasted of ${cost(billingTotal)}`);
    // (costs are kept to 1e-10 USD, so a sum's float noise does not tip the fourth decimal)
    expect(chart.bars[0]!.valueText).toBe(`${cost(0)} wasted of ${cost(Math.round(totalOf(want.tasks[AUTH]!).costUsd! * 1e10) / 1e10)}`);
    // every reason has a colour of its own, and none is a model's
    expect(new Set(Object.values(page.kinds)).size).toBe(8);
    for (const color of Object.values(page.legend)) expect(Object.values(page.kinds)).not.toContain(color);
  });

  it('the legend gives each model its own colour, the same in every chart', () => {
    expect(Object.keys(page.legend)).toEqual(byCost(want.all).map(([model]) => model));
    expect(new Set(Object.values(page.legend)).size).toBe(3);
  });

  it('cards and tables hold the same numbers', () => {
    const total = totalOf(want.all);
    expect(page.cards).toEqual({
      cost: cost(total.costUsd),
      tokens: formatCount(tokens(total)),
      'tasks run': '2/3',
      'cache hit': percent(ratio(total)),
      wasted: cost(totalOf(want.attempts[BILLING]!.implement![0]!).costUsd),
      'per passed task': cost(total.costUsd! / 2),
    });
    const cells = (u: TokenUsage) => [
      formatCount(u.inputTokens),
      formatCount(u.outputTokens),
      formatCount(u.cacheCreationInputTokens),
      formatCount(u.cacheReadInputTokens),
      cost(u.costUsd),
    ];
    expect(page.tables[0]).toEqual([
      ['model', 'input', 'output', 'cache write', 'cache read', 'cost'],
      ...byCost(want.all).map(([model, u]) => [model, ...cells(u)]),
      ['total', ...cells(total)],
    ]);
    // Then one steps table per task that ran: each step's models with their counts.
    const billingSteps = page.tables[2]!;
    expect(billingSteps[0]).toEqual([
      'step',
      'status',
      'attempts',
      'source',
      'duration',
      'model',
      'input',
      'output',
      'cache write',
      'cache read',
      'cost',
      'waste',
    ]);
    expect(billingSteps.slice(1).map((row) => [row[0], row[1], row[2], row[3], ...row.slice(5)])).toEqual([
      ['plan', 'done', '1', 'result', ...byCost(want.steps[BILLING]!.plan!).flatMap(([model, u]) => [model, ...cells(u)]), '-'],
      [
        'implement',
        'done',
        '2',
        'estimate',
        ...byCost(want.steps[BILLING]!.implement!).flatMap(([model, u]) => [model, ...cells(u)]),
        cost(totalOf(want.attempts[BILLING]!.implement![0]!).costUsd),
      ],
    ]);
    expect(page.sections.map((s) => [s.task, s.title])).toEqual([
      [AUTH, '01-auth'],
      [BILLING, '02-billing'],
      [LATER, '03-later'],
    ]);
    expect(page.sections[1]!.facts).toContain('usage source: estimate');
    expect(page.sections[2]!.facts).toBe(`${LATER} · not run yet`);
  });

  it('saved a screenshot of the whole page to test-output/report.png', async () => {
    const png = await readFile(path.join(OUTPUT, 'report.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(WIDTH);
    expect(png.readUInt32BE(20)).toBeGreaterThan(900);
  });
});

describe('report: bad input', () => {
  it('no --html FILE, or a FILE that cannot be written: exit 2 with the reason', async () => {
    const none = await project.run(['report', 'tasks']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("required option '--html <file>' not specified");
    await writeFile(path.join(project.dir, 'a-file'), '');
    const blocked = await project.run(['report', '--html', 'a-file/usage.html']);
    expect(blocked.exitCode).toBe(2);
    expect(blocked.stderr).toMatch(/^claude-project: a-file\/usage\.html: cannot write the report: /);
  });
});
