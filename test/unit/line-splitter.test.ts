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
    const text = '{"type":"user","x":"' + 'y'.repeat(1000) + '"}\nnext\n';
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
