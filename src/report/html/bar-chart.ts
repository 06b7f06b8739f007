import { truncate } from '../../format/truncate.js';
import { dataAttributes, escapeHtml } from './escape.js';

/** One coloured piece of a bar; `value` sets its length. */
export interface Segment {
  value: number;
  color: string;
  /** Tooltip. */
  title: string;
  data: Record<string, string | number | undefined>;
}

export interface BarRow {
  label: string;
  /** Tooltip of the label (the full text when the label is cut). */
  title: string;
  /** Shown after the bar. */
  valueText: string;
  segments: Segment[];
  data: Record<string, string | number | undefined>;
}

export interface BarChartOptions {
  /** `data-chart` of the svg, e.g. "tokens". */
  name: string;
  /** Accessible name of the chart. */
  label: string;
  rows: BarRow[];
  /** The value a full-length bar stands for (default: a round number at or above the longest row). */
  max?: number;
  /** Text for an axis tick, given the tick's value and the step between ticks. */
  tick: (value: number, step: number) => string;
  /** A grey full-length track behind every bar (for ratios). */
  track?: boolean;
}

const WIDTH = 960;
const LABEL_WIDTH = 250;
const BAR_X = 260;
const BAR_WIDTH = 560;
const ROW_HEIGHT = 28;
const BAR_HEIGHT = 18;
const TOP = 8;
const AXIS_HEIGHT = 24;

const fixed = (n: number): string => String(Math.round(n * 1000) / 1000);

/** The smallest of 1, 2, 2.5, 5 × 10^k that is at least `value`. */
function roundStep(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((step) => step >= value * (1 - 1e-9)) ?? 10 * power;
}

/** An axis from 0 to a round number at or above `longest`, in at most 5 round steps. */
export function niceScale(longest: number): { max: number; step: number } {
  if (!(longest > 0)) return { max: 0, step: 0 };
  const step = roundStep(longest / 5);
  return { max: step * Math.ceil(longest / step - 1e-9), step };
}

/**
 * A horizontal stacked bar chart as inline SVG: one row per bar, segments left to right, a
 * shared linear scale. Every segment is a `rect` carrying `data-value` (what its length
 * encodes) and the caller's data attributes, so the numbers can be read back from the page.
 */
export function barChart(options: BarChartOptions): string {
  const { rows } = options;
  const longest = Math.max(0, ...rows.map((row) => row.segments.reduce((n, s) => n + s.value, 0)));
  const nice = niceScale(longest);
  const max = options.max ?? nice.max;
  const step = options.max !== undefined ? options.max / 4 : nice.step;
  const scale = max > 0 ? BAR_WIDTH / max : 0;
  const height = TOP + rows.length * ROW_HEIGHT + AXIS_HEIGHT;
  const axisY = TOP + rows.length * ROW_HEIGHT;
  const parts: string[] = [];
  const ticks = max > 0 ? Math.round(max / step) : 0;
  for (let i = 0; i <= ticks; i++) {
    const x = fixed(BAR_X + ((i * step) / max) * BAR_WIDTH);
    parts.push(`<line class="grid" x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${axisY}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${axisY + 16}" text-anchor="middle">${escapeHtml(options.tick(i * step, step))}</text>`);
  }
  rows.forEach((row, index) => {
    const y = TOP + index * ROW_HEIGHT;
    const barY = fixed(y + (ROW_HEIGHT - BAR_HEIGHT) / 2);
    const textY = fixed(y + ROW_HEIGHT / 2 + 4);
    const total = row.segments.reduce((n, s) => n + s.value, 0);
    const pieces = [
      `<text class="label" x="${LABEL_WIDTH}" y="${textY}" text-anchor="end"><title>${escapeHtml(row.title)}</title>${escapeHtml(truncate(row.label, 37))}</text>`,
    ];
    if (options.track) pieces.push(`<rect class="track" x="${BAR_X}" y="${barY}" width="${BAR_WIDTH}" height="${BAR_HEIGHT}"/>`);
    let x = BAR_X;
    for (const segment of row.segments) {
      const width = segment.value * scale;
      pieces.push(
        `<rect class="segment" x="${fixed(x)}" y="${barY}" width="${fixed(width)}" height="${BAR_HEIGHT}" fill="${escapeHtml(segment.color)}"` +
          `${dataAttributes({ value: segment.value, ...segment.data })}><title>${escapeHtml(segment.title)}</title></rect>`,
      );
      x += width;
    }
    const valueX = fixed((options.track ? BAR_X + BAR_WIDTH : x) + 6);
    pieces.push(`<text class="value" x="${valueX}" y="${textY}">${escapeHtml(row.valueText)}</text>`);
    parts.push(`<g class="bar"${dataAttributes({ total, ...row.data })}>${pieces.join('')}</g>`);
  });
  return (
    `<svg class="chart" role="img" aria-label="${escapeHtml(options.label)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}"` +
    `${dataAttributes({ chart: options.name, max, 'bar-width': BAR_WIDTH })}>${parts.join('')}</svg>`
  );
}
