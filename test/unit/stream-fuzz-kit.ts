/**
 * Tools for the stream fuzz test: a seeded PRNG, random chunkings, a feeder that pushes chunks
 * the way claude-project's file tail does (one reused buffer, overwritten after every push), and
 * oracles written independently of src/ (plain `split("\n")`, plain `JSON.parse`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ParsedLine } from '../../src/claude/parse-line.js';
import { streamLineSplitter } from '../../src/claude/stream-lines.js';
import { UsageLimitDetector } from '../../src/claude/usage-limit.js';
import { formatEvent } from '../../src/claude/readable-log.js';
import { CallObserver } from '../../src/pipeline/call-observer.js';
import { PriceTable } from '../../src/usage/pricing.js';
import { createProgress } from '../../src/report/progress.js';
import { formatFooter } from '../../src/format/footer.js';

export { prng, randInt } from '../support/prng.js';
import { randInt } from '../support/prng.js';

/**
 * Cut positions (sorted, inside 1..length-1) for one random chunking: a few big chunks, many
 * tiny ones, cuts next to every newline, or a mix.
 */
export function randomCuts(rng: () => number, stream: Buffer): number[] {
  const length = stream.length;
  if (length < 2) return [];
  const cuts = new Set<number>();
  const style = randInt(rng, 0, 3);
  if (style === 0) {
    for (let n = randInt(rng, 1, 8); n > 0; n--) cuts.add(randInt(rng, 1, length - 1));
  } else if (style === 1) {
    for (let at = randInt(rng, 1, 3); at < length; at += randInt(rng, 1, 3)) cuts.add(at);
  } else if (style === 2) {
    // right before, on and after newlines and carriage returns
    for (let at = 0; at < length; at++) {
      if ((stream[at] === 0x0a || stream[at] === 0x0d) && rng() < 0.7)
        cuts.add(Math.max(1, Math.min(length - 1, at + randInt(rng, -1, 1))));
    }
  } else {
    for (let at = randInt(rng, 1, 64); at < length; at += randInt(rng, 1, 512)) cuts.add(at);
  }
  return [...cuts].filter((c) => c > 0 && c < length).sort((a, b) => a - b);
}

export interface Fed {
  parsed: ParsedLine[];
  observer: CallObserver;
  rateLimit: UsageLimitDetector;
  /** What the readable step log got: one entry per event it formats, then the footer (at end). */
  readable: string[];
  /** What the progress display wrote to its terminal. */
  progress: string[];
}

const FIXED_NOW = Date.parse('2026-01-01T12:00:00Z');

/**
 * Pushes `stream` cut at `cuts` through the stream-json splitter into every consumer of events,
 * as a live call feeds them: the call observer (usage), the rate-limit detector, the readable
 * log and the progress display (usage after each event; at end, the settled usage and footer).
 * Each chunk is copied into one scratch buffer that is scribbled over after the push, as the
 * file tail reuses its read buffer: whatever the splitter keeps, it must have copied.
 */
export function feed(stream: Buffer, cuts: number[], options: { end?: boolean } = {}): Fed {
  const parsed: ParsedLine[] = [];
  const observer = new CallObserver(PriceTable.withOverrides());
  const rateLimit = new UsageLimitDetector(() => FIXED_NOW);
  const readable: string[] = [];
  const progress: string[] = [];
  const display = createProgress({
    write: (text) => progress.push(text),
    tty: true,
    now: () => FIXED_NOW,
    color: false,
    columns: () => 100,
  });
  const at = { taskName: 'fuzz', step: 'step', attempt: 1 };
  display.report({ type: 'attempt-start', ...at, model: 'claude-sonnet-4-5', logPath: 'fuzz.log' });
  const splitter = streamLineSplitter((line) => {
    parsed.push(line);
    if (!line.ok) return;
    observer.observe(line.event);
    rateLimit.observe(line.event);
    const text = formatEvent(line.event);
    if (text !== undefined) readable.push(text);
    display.report({ type: 'attempt-usage', ...at, usage: observer.usage.estimate() });
  });
  const scratch = Buffer.alloc(stream.length);
  let from = 0;
  for (const to of [...cuts, stream.length]) {
    if (to <= from) continue;
    const chunk = scratch.subarray(0, to - from);
    stream.copy(chunk, 0, from, to);
    splitter.push(chunk);
    chunk.fill(0x7b); // "{"
    from = to;
  }
  if (options.end !== false) {
    splitter.end();
    const settled = observer.usage.settle();
    display.report({ type: 'attempt-end', ...at, outcome: 'passed', usage: settled.usage, usageSource: settled.source, durationMs: 1 });
    readable.push(
      formatFooter({ usage: settled.usage, source: settled.source, outcome: 'done', malformedLines: parsed.filter((p) => !p.ok).length }),
    );
  }
  display.stop();
  return { parsed, observer, rateLimit, readable, progress };
}

/** The lines of a byte stream as the contract defines them: split at "\n", one "\r" before it dropped, empty ones skipped. */
export function oracleLines(stream: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let at = 0; at <= stream.length; at++) {
    if (at < stream.length && stream[at] !== 0x0a) continue;
    let line = stream.subarray(start, at);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (line.length > 0) lines.push(line);
    start = at + 1;
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Recorded streams (test/fixtures: the real Claude Code CLI 2.1.197 against the fake API).

const FIXTURES = path.resolve('test/fixtures');
export const RECORDED = ['plain-answer', 'bash-tool-loop', 'subagent-second-model'] as const;

/** A recorded stream's lines, without line ends. */
export function recordedLines(name: string): string[] {
  return readFileSync(path.join(FIXTURES, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

/** What the API served for a recorded stream, per model: the four token counts. */
export function served(name: string): Record<string, Record<string, number>> {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.served.json`), 'utf8')) as Record<string, Record<string, number>>;
}

/**
 * The stream estimate computed with plain JSON.parse: per message id the last
 * snapshot, `<synthetic>` left out, summed per model (token counts only).
 */
export function oracleEstimate(lines: string[]): Record<string, Record<string, number>> {
  const messages = new Map<string, { model: string; usage: Record<string, number> }>();
  for (const line of lines) {
    const event = JSON.parse(line) as { type: string; message?: { id?: string; model?: string; usage?: Record<string, number> } };
    const m = event.message;
    if (event.type !== 'assistant' || !m?.id || !m.model || m.model === '<synthetic>') continue;
    messages.set(m.id, { model: m.model, usage: m.usage ?? {} });
  }
  const out: Record<string, Record<string, number>> = {};
  for (const { model, usage } of messages.values()) {
    out[model] ??= { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
    const sum = out[model];
    sum.inputTokens! += usage.input_tokens ?? 0;
    sum.outputTokens! += usage.output_tokens ?? 0;
    sum.cacheCreationInputTokens! += usage.cache_creation_input_tokens ?? 0;
    sum.cacheReadInputTokens! += usage.cache_read_input_tokens ?? 0;
  }
  return out;
}
