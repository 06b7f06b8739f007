import { createReadStream } from 'node:fs';
import { LineSplitter } from './line-splitter.js';
import { isToolResultHead, parseStreamLine, toolResultLine, TOOL_RESULT_HEAD_BYTES, type ParsedLine } from './parse-line.js';

/**
 * A line splitter for claude's stream-json: every line parsed, except tool-result lines longer
 * than their head, which are only counted past it (they can be megabytes and carry no usage).
 */
export function streamLineSplitter(onParsed: (parsed: ParsedLine) => void): LineSplitter {
  return new LineSplitter((line) => onParsed(parseStreamLine(line)), {
    headBytes: TOOL_RESULT_HEAD_BYTES,
    test: isToolResultHead,
    onSkipped: (head, bytes, lastByte) => onParsed(toolResultLine(head, bytes, lastByte)),
  });
}

/** Every line of a stream-json file (a raw step log), parsed as `streamLineSplitter` does. */
export async function forEachStreamLine(file: string, onParsed: (parsed: ParsedLine) => void): Promise<void> {
  const splitter = streamLineSplitter(onParsed);
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) splitter.push(chunk as Buffer);
  splitter.end();
}
