/**
 * Fuzz test of the stream reader: line splitter + line parser + every consumer of events, fed
 * the way a live call feeds them. Fixed seed; every case is reproducible. Whatever the chunking,
 * line ends, garbage or truncation: no throw, every garbage line counted as malformed, and the
 * usage exactly what the API served (recorded streams) or what the oracle computes.
 */
import { LineSplitter } from '../../src/claude/line-splitter.js';
import type { ParsedLine } from '../../src/claude/parse-line.js';
import { TOKEN_FIELDS, type ModelTokenUsage } from '../../src/usage/types.js';
import {
  RECORDED,
  feed,
  oracleEstimate,
  oracleLines,
  prng,
  randInt,
  randomCuts,
  recordedLines,
  served,
  type Fed,
} from './stream-fuzz-kit.js';

const SEED = 0xf022_2026;
const CHUNKINGS = 300;
const GARBAGE_STREAMS = 600;
const NOISE_STREAMS = 400;
const TRUNCATIONS = 600;

let cases = 0;
/** feed(), counted. */
function run(stream: Buffer, cuts: number[], options: { end?: boolean } = {}): Fed {
  cases++;
  return feed(stream, cuts, options);
}

afterAll(() => {
  process.stdout.write(`stream fuzz: ${cases} cases run (seed 0x${SEED.toString(16)})\n`);
});

function tokens(usage: ModelTokenUsage): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [model, u] of Object.entries(usage)) out[model] = Object.fromEntries(TOKEN_FIELDS.map((f) => [f, u[f]]));
  return out;
}

/** toEqual, with a cheap check first: thousands of cases must stay fast. */
function expectSame(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

const isUserLine = (line: string): boolean => line.startsWith('{"type":"user"');

/** What a whole line must parse to, by plain JSON.parse (tool-result lines: their size only). */
function expectParsedAs(parsed: ParsedLine | undefined, line: string): void {
  expect(parsed?.ok).toBe(true);
  if (!parsed?.ok) return;
  if (isUserLine(line)) expect(parsed.event).toMatchObject({ type: 'user', bytes: Buffer.byteLength(line) });
  else expectSame(parsed.event, JSON.parse(line));
}

function joinLines(lines: string[], lineEnd: (i: number) => string, lastNewline = true): Buffer {
  return Buffer.from(lines.map((l, i) => (i < lines.length - 1 || lastNewline ? l + lineEnd(i) : l)).join(''));
}

describe(`recorded streams of the real CLI, ${CHUNKINGS} random chunkings each, LF / CRLF / mixed, with and without a last newline`, () => {
  it.each(RECORDED)('%s: usage exactly as served, no malformed line, every line parsed as a whole', (name) => {
    const rng = prng(SEED ^ name.length);
    const lines = recordedLines(name);
    const truth = served(name);
    for (let i = 0; i < CHUNKINGS; i++) {
      const ends = ['\n', '\r\n', 'mixed'][i % 3];
      const stream = joinLines(lines, () => (ends === 'mixed' ? (rng() < 0.5 ? '\n' : '\r\n') : ends!), i % 2 === 0);
      const { parsed, observer } = run(stream, randomCuts(rng, stream));
      expect(parsed.filter((p) => !p.ok)).toEqual([]);
      expect(parsed).toHaveLength(lines.length);
      lines.forEach((line, n) => {
        expectParsedAs(parsed[n], line);
      });
      const settled = observer.usage.settle();
      expect(settled.source).toBe('result');
      expectSame(tokens(settled.usage), truth);
    }
  });
});

describe('UTF-8 split across chunks at every byte position', () => {
  const text = 'héllo → wörld 🎉 日本語 ☃ ok';
  const lines = [
    JSON.stringify({ type: 'system', subtype: 'init', session_id: 's-ü', cwd: '/tmp/çà', model: 'claude-sonnet-4-5' }),
    JSON.stringify({
      type: 'assistant',
      message: { id: 'm1', model: 'claude-sonnet-4-5', content: [{ type: 'text', text }], usage: { input_tokens: 11, output_tokens: 1 } },
    }),
    JSON.stringify({
      type: 'user',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: `Ünïcödé ✓ 🚀 ${text}` }] },
    }),
    JSON.stringify({
      type: 'assistant',
      message: { id: 'm2', model: 'claude-haiku-4-5', content: [{ type: 'text', text: '¿qué? 🙂' }], usage: { input_tokens: 5 } },
    }),
    JSON.stringify({
      type: 'result',
      is_error: false,
      result: `fini ✔ ${text}`,
      modelUsage: {
        'claude-sonnet-4-5': { inputTokens: 11, outputTokens: 42, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUSD: 0.001 },
      },
    }),
  ];

  it.each(['\n', '\r\n'])(
    'line end %j: two chunks cut at every position, three chunks at every pair of neighbours, and byte by byte',
    (lineEnd) => {
      const stream = joinLines(lines, () => lineEnd);
      const whole = run(stream, []);
      lines.forEach((line, n) => {
        expectParsedAs(whole.parsed[n], line);
      });
      expect(whole.parsed[2]).toMatchObject({ ok: true, event: { preview: `Ünïcödé ✓ 🚀 ${text}` } });
      for (let at = 1; at < stream.length; at++) {
        expectSame(run(stream, [at]).parsed, whole.parsed);
        expectSame(run(stream, [at, at + 1]).parsed, whole.parsed);
      }
      const byteByByte = run(
        stream,
        Array.from({ length: stream.length - 1 }, (_, i) => i + 1),
      );
      expect(byteByByte.parsed).toEqual(whole.parsed);
      expect(tokens(byteByByte.observer.usage.settle().usage)).toEqual({
        'claude-sonnet-4-5': { inputTokens: 11, outputTokens: 42, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
      });
    },
  );

  it('a tool-result line longer than its parsed head, multibyte characters across the head boundary, cut at every position near it', () => {
    const content = `${'é'.repeat(3000) + '日本'.repeat(2000)} fin`;
    const line = JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content }] } });
    for (const lineEnd of ['\n', '\r\n']) {
      const stream = Buffer.from(`${line}${lineEnd}{"type":"result","modelUsage":{}}${lineEnd}`);
      const whole = run(stream, []);
      expect(whole.parsed[0]).toEqual({
        ok: true,
        event: { type: 'user', bytes: Buffer.byteLength(line), preview: content.slice(0, 1000) },
      });
      const near = [
        ...Array.from({ length: 400 }, (_, i) => 8000 + i),
        ...Array.from({ length: 40 }, (_, i) => Buffer.byteLength(line) - 20 + i),
      ];
      for (const at of near) expectSame(run(stream, [at]).parsed, whole.parsed);
    }
  });
});

describe(`garbage lines among real ones (${GARBAGE_STREAMS} streams): each counted as malformed, never fatal, usage unchanged`, () => {
  type Kind = 'malformed' | 'harmless' | 'no-line';

  /** One garbage line and what it must count as. */
  function garbage(rng: () => number, real: string[]): { bytes: Buffer; kind: Kind } {
    const pick = <T>(items: readonly T[]): T => items[randInt(rng, 0, items.length - 1)]!;
    switch (randInt(rng, 0, 6)) {
      case 0: {
        // random bytes (no newline); the first one not ASCII, so never JSON
        const bytes = Buffer.from(
          Array.from({ length: randInt(rng, 1, 400) }, () => randInt(rng, 0, 255)).map((b) => (b === 0x0a ? 0x20 : b)),
        );
        bytes[0] = randInt(rng, 0x80, 0xff);
        return { bytes, kind: 'malformed' };
      }
      case 1: {
        // a real line (not a tool result), truncated
        const line = Buffer.from(pick(real.filter((l) => !isUserLine(l))));
        return { bytes: line.subarray(0, randInt(rng, 1, line.length - 1)), kind: 'malformed' };
      }
      case 2: {
        // a truncated tool-result line (one that does not happen to end in "}")
        const line = Buffer.from(
          JSON.stringify({
            type: 'user',
            message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'x'.repeat(randInt(rng, 0, 20_000)) }] },
          }),
        );
        let cut = randInt(rng, 1, line.length - 1);
        while (line[cut - 1] === 0x7d || line[cut - 1] === 0x0d) cut--;
        return { bytes: line.subarray(0, cut), kind: 'malformed' };
      }
      case 3:
        return {
          bytes: Buffer.from(
            pick([
              '[1,2,3]',
              '42',
              '"text"',
              'null',
              'true',
              '{}',
              '{"type":5}',
              '{"type":null}',
              '{"type":"assistant"}',
              '{"type":"assistant","message":null}',
              '{"a":',
            ]),
          ),
          kind: 'malformed',
        };
      case 4:
        return { bytes: Buffer.from(pick([' ', '\t', '   \t '])), kind: 'malformed' };
      case 5:
        // valid JSON events we do not know, or that carry nothing: parsed, not malformed, no usage
        return {
          bytes: Buffer.from(pick(['{"type":"brand_new_event","x":1}', '{"type":"assistant","message":{}}', '{"type":"result_preview"}'])),
          kind: 'harmless',
        };
      default:
        // an empty line, or a lone "\r": no line at all
        return { bytes: Buffer.from(pick(['', '\r'])), kind: 'no-line' };
    }
  }

  it.each(RECORDED)('%s', (name) => {
    const rng = prng(SEED ^ (name.length * 7919));
    const real = recordedLines(name);
    const truth = served(name);
    for (let i = 0; i < GARBAGE_STREAMS / RECORDED.length; i++) {
      const items: Array<{ bytes: Buffer; kind: Kind | 'real'; line?: string }> = real.map((line) => ({
        bytes: Buffer.from(line),
        kind: 'real',
        line,
      }));
      const crlf = rng() < 0.3;
      for (let g = randInt(rng, 1, 6); g > 0; g--) {
        const bad = garbage(rng, real);
        // "\r" + "\r\n" is a line holding one "\r" (only the one before "\n" belongs to the line end)
        if (crlf && bad.kind === 'no-line' && bad.bytes.length > 0) bad.kind = 'malformed';
        items.splice(randInt(rng, 0, items.length), 0, bad);
      }
      const stream = Buffer.concat(items.flatMap((item) => [item.bytes, Buffer.from(crlf ? '\r\n' : '\n')]));
      const { parsed, observer } = run(stream, randomCuts(rng, stream));

      const lines = items.filter((item) => item.kind !== 'no-line');
      expect(parsed).toHaveLength(lines.length);
      lines.forEach((item, n) => {
        if (item.kind === 'malformed') expect({ n, ok: parsed[n]!.ok }).toEqual({ n, ok: false });
        else if (item.kind === 'real') expectParsedAs(parsed[n], item.line!);
        else expect(parsed[n]).toEqual({ ok: true, event: JSON.parse(item.bytes.toString()) });
      });
      expect(parsed.filter((p) => !p.ok)).toHaveLength(items.filter((item) => item.kind === 'malformed').length);
      expect(tokens(observer.usage.settle().usage)).toEqual(truth);
    }
  });
});

describe(`random byte noise (${NOISE_STREAMS} streams): lines exactly as split by the contract, parsed alike whatever the chunking`, () => {
  const TOKENS = ['\n', '\r\n', '\r', '{', '}', '"type":"user"', '{"type":"user",', '"', 'é', '🎉', '\\', '[', ']', ':', ','];

  function noise(rng: () => number): Buffer {
    const parts: Buffer[] = [];
    for (let n = randInt(rng, 0, 300); n > 0; n--) {
      parts.push(rng() < 0.5 ? Buffer.from([randInt(rng, 0, 255)]) : Buffer.from(TOKENS[randInt(rng, 0, TOKENS.length - 1)]!));
      if (rng() < 0.01) parts.push(Buffer.alloc(randInt(rng, 8_000, 20_000), 0x61)); // long enough to be skipped past its head
    }
    return Buffer.concat(parts);
  }

  it('never throws; the plain splitter gives the oracle lines; the stream splitter one parse per line, the same in any chunking', () => {
    const rng = prng(SEED + 1);
    for (let i = 0; i < NOISE_STREAMS; i++) {
      const stream = noise(rng);
      const cuts = randomCuts(rng, stream);
      const expected = oracleLines(stream);

      const lines: string[] = [];
      const plain = new LineSplitter((line) => lines.push(line.toString('latin1')));
      let from = 0;
      for (const to of [...cuts, stream.length]) {
        plain.push(stream.subarray(from, to));
        from = to;
      }
      plain.end();
      expectSame(
        lines,
        expected.map((l) => l.toString('latin1')),
      );

      const whole = run(stream, []);
      const chunked = run(stream, cuts);
      expect(chunked.parsed).toHaveLength(expected.length);
      expectSame(chunked.parsed, whole.parsed);
      expect(tokens(chunked.observer.usage.settle().usage)).toEqual({});
    }
  });
});

describe(`streams cut short (${TRUNCATIONS} cuts): no result, no last newline`, () => {
  it('a stream without a result: the estimate is one snapshot per message id, per model, whatever the chunking', () => {
    const rng = prng(SEED + 2);
    for (const name of RECORDED) {
      const lines = recordedLines(name).filter((l) => !l.startsWith('{"type":"result"'));
      const want = oracleEstimate(lines);
      expect(Object.keys(want).length).toBeGreaterThan(0);
      for (let i = 0; i < 50; i++) {
        const stream = joinLines(lines, () => '\n');
        const { parsed, observer } = run(stream, randomCuts(rng, stream));
        expect(parsed.every((p) => p.ok)).toBe(true);
        expect(observer.resultArrived).toBe(false);
        const settled = observer.usage.settle();
        expect(settled.source).toBe('estimate');
        expect(tokens(settled.usage)).toEqual(want);
      }
    }
  });

  it('killed mid-stream (ends at any byte, without a newline): complete lines counted, the cut one malformed, usage from what arrived', () => {
    const rng = prng(SEED + 3);
    for (let i = 0; i < TRUNCATIONS; i++) {
      const name = RECORDED[i % RECORDED.length]!;
      const full = joinLines(recordedLines(name), () => '\n');
      const stream = full.subarray(0, randInt(rng, 1, full.length - 1));
      const { parsed, observer } = run(stream, randomCuts(rng, stream));
      const lines = oracleLines(stream).map((l) => l.toString('utf8'));
      expect(parsed).toHaveLength(lines.length);
      const whole = lines.filter((line) => recordedLines(name).includes(line));
      // every line that arrived whole parses; a cut one (the last, if cut) is malformed, except a
      // tool-result line cut right after a "}": those are judged by their last byte, never parsed
      // (they can be megabytes), so it passes for whole; it carries no usage either way.
      lines.forEach((line, n) => {
        if (whole.includes(line)) expectParsedAs(parsed[n], line);
        else if (isUserLine(line) && line.endsWith('}')) expect(parsed[n]).toMatchObject({ ok: true, event: { type: 'user' } });
        else expect(parsed[n]!.ok).toBe(false);
      });
      expect(lines.length - whole.length).toBeLessThanOrEqual(1);
      const settled = observer.usage.settle();
      const resultArrived = whole.some((l) => l.startsWith('{"type":"result"'));
      const estimated = oracleEstimate(whole);
      // nothing billed so far: no usage at all, source none
      const nothing = Object.values(estimated).every((counts) => Object.values(counts).every((n) => n === 0));
      expect(settled.source).toBe(resultArrived ? 'result' : nothing ? 'none' : 'estimate');
      expect(tokens(settled.usage)).toEqual(resultArrived ? served(name) : nothing ? {} : estimated);
    }
  });

  it('a last line without a newline is handed out at end(), not before', () => {
    const stream = Buffer.from('{"type":"system","subtype":"init"}\n{"type":"result","modelUsage":{}}');
    expect(run(stream, [], { end: false }).parsed.map((p) => p.ok && p.event.type)).toEqual(['system']);
    expect(run(stream, [], { end: true }).parsed.map((p) => p.ok && p.event.type)).toEqual(['system', 'result']);
  });
});

describe('well-formed lines of an unexpected shape: every consumer survives them', () => {
  /** Lines that once crashed a run: valid JSON of a known type whose fields are of another shape. */
  const MISSHAPEN = [
    '{"type":"assistant","message":{"content":"hi"}}',
    '{"type":"assistant","message":{"id":"m","model":"claude-sonnet-4-5","content":[null]}}',
    '{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1e20}}',
    '{"type":"result","is_error":true,"errors":5}',
    '{"type":"result","modelUsage":{"claude-sonnet-4-5":null}}',
    '{"type":"assistant","message":{"id":"m","model":"claude-sonnet-4-5","usage":{"input_tokens":"12"}}}',
    '{"type":"system","subtype":"init","session_id":7}',
  ];
  const WEIRD_VALUES: unknown[] = [null, 5, -1, 1e20, 'x', '', [], [null], {}, { type: 5 }, true, Number.MAX_VALUE];

  function noBadText(fed: Fed): void {
    for (const text of [...fed.readable, ...fed.progress]) {
      expect(text).not.toMatch(/NaN|Invalid Date|undefined|\[object Object\]/);
    }
  }

  it.each(RECORDED)(
    '%s with the misshapen lines inserted anywhere: each counted malformed, the usage as served, no usage limit',
    (name) => {
      const rng = prng(SEED ^ (name.length * 104_729));
      const real = recordedLines(name);
      for (let i = 0; i < 60; i++) {
        const lines = [...real];
        const inserted = MISSHAPEN.filter(() => rng() < 0.6);
        for (const bad of inserted) lines.splice(randInt(rng, 0, lines.length), 0, bad);
        const stream = joinLines(lines, () => '\n');
        const fed = run(stream, randomCuts(rng, stream));
        const malformed = fed.parsed.filter((p) => !p.ok);
        expect(malformed).toHaveLength(inserted.length);
        for (const line of malformed) expect(line).toMatchObject({ ok: false, reason: expect.stringContaining('unexpected shape') });
        expect(tokens(fed.observer.usage.settle().usage)).toEqual(served(name));
        expect(fed.rateLimit.limit).toBeUndefined();
        expect(fed.readable.at(-1)).toContain('--- Token Usage ---');
        noBadText(fed);
      }
    },
  );

  it('recorded lines with one field anywhere replaced by a value of another shape: no consumer throws, numbers stay numbers', () => {
    const rng = prng(SEED + 4);
    /** A random path into the value (objects and arrays), ending on any node but the root. */
    function mutate(value: unknown): unknown {
      const root = { value: structuredClone(value) as unknown };
      let holder: Record<string, unknown> = root;
      let key = 'value';
      for (let depth = 0; depth < 6; depth++) {
        const node = holder[key];
        if (typeof node !== 'object' || node === null) break;
        const keys = Object.keys(node);
        if (keys.length === 0 || (depth > 0 && rng() < 0.3)) break;
        holder = node as Record<string, unknown>;
        key = keys[randInt(rng, 0, keys.length - 1)]!;
      }
      if (holder === root) return value;
      holder[key] = WEIRD_VALUES[randInt(rng, 0, WEIRD_VALUES.length - 1)];
      return root.value;
    }
    for (let i = 0; i < 400; i++) {
      const name = RECORDED[i % RECORDED.length]!;
      const lines = recordedLines(name)
        .filter((l) => !isUserLine(l))
        .map((line) => (rng() < 0.3 ? JSON.stringify(mutate(JSON.parse(line))) : line));
      const stream = joinLines(lines, () => '\n');
      const fed = run(stream, randomCuts(rng, stream));
      expect(fed.parsed).toHaveLength(lines.length);
      for (const line of fed.parsed.filter((p) => !p.ok))
        expect(line).toMatchObject({ reason: expect.stringMatching(/unexpected shape|no "type" field/) });
      for (const usage of Object.values(fed.observer.usage.settle().usage)) {
        for (const field of TOKEN_FIELDS) expect(Number.isFinite(usage[field]) && usage[field] >= 0).toBe(true);
      }
      const limit = fed.rateLimit.limit;
      if (limit?.resetsAtMs !== undefined) expect(Number.isFinite(new Date(limit.resetsAtMs).getTime())).toBe(true);
      noBadText(fed);
    }
  });
});
