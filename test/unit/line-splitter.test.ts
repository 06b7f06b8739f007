import type { ParsedLine } from '../../src/claude/parse-line.js';
import { streamLineSplitter } from '../../src/claude/stream-lines.js';
import { LineSplitter } from '../../src/claude/line-splitter.js';

function split(chunks: Buffer[], end = true): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line.toString('utf8')));
  for (const chunk of chunks) splitter.push(chunk);
  if (end) splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits lines inside one chunk and drops empty lines', () => {
    expect(split([Buffer.from('a\nbb\n\nccc\n')])).toEqual(['a', 'bb', 'ccc']);
  });

  it('joins a line spread over many chunks', () => {
    const text = `{"type":"user","x":"${'y'.repeat(1000)}"}\nnext\n`;
    const chunks = [];
    for (let i = 0; i < text.length; i += 7) chunks.push(Buffer.from(text.slice(i, i + 7)));
    expect(split(chunks)).toEqual([text.split('\n')[0], 'next']);
  });

  it('strips a carriage return before the newline (CRLF streams)', () => {
    expect(split([Buffer.from('one\r\ntwo\r'), Buffer.from('\n')])).toEqual(['one', 'two']);
  });

  it('keeps UTF-8 characters whole when a chunk boundary cuts through one', () => {
    const bytes = Buffer.from('héllo → wörld\nok\n', 'utf8');
    const cut = bytes.indexOf(0xe2) + 1; // inside the 3-byte arrow
    expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['héllo → wörld', 'ok']);
  });

  it('hands out a last line without a newline only at end()', () => {
    expect(split([Buffer.from('a\nlast')], false)).toEqual(['a']);
    expect(split([Buffer.from('a\nlast')], true)).toEqual(['a', 'last']);
  });
});

describe('streamLineSplitter (tool-result lines skipped past their head)', () => {
  const toolResult = (size: number): string =>
    JSON.stringify({
      type: 'user',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: `head ${'z'.repeat(size)}` }] },
    });

  function events(text: string, chunkSize: number): ParsedLine[] {
    const out: ParsedLine[] = [];
    const splitter = streamLineSplitter((parsed) => out.push(parsed));
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += chunkSize) splitter.push(bytes.subarray(i, i + chunkSize));
    splitter.end();
    return out;
  }

  it('gives a long tool-result line the same event whether it arrives whole or skipped in pieces', () => {
    const line = toolResult(300_000);
    const text = `{"type":"system","subtype":"init"}\n${line}\r\n{"type":"result","is_error":false}\n`;
    const whole = events(text, text.length);
    const pieces = events(text, 4093);
    expect(pieces).toEqual(whole);
    expect(pieces[1]).toEqual({
      ok: true,
      event: { type: 'user', bytes: Buffer.byteLength(line), preview: expect.stringMatching(/^head z+$/) },
    });
    expect(pieces.map((p) => (p.ok ? p.event.type : 'bad'))).toEqual(['system', 'user', 'result']);
  });

  it('counts a truncated tool-result line as malformed, skipped or not', () => {
    const cut = toolResult(100_000).slice(0, 90_000);
    for (const size of [cut.length + 1, 1000]) {
      const parsed = events(`${cut}\n{"type":"result"}\n`, size);
      expect(parsed.map((p) => p.ok)).toEqual([false, true]);
    }
  });
});
