import type { StreamEvent } from './stream-events.js';

export type ParsedLine = { ok: true; event: StreamEvent } | { ok: false; reason: string; preview: string };

/** Tool-result lines above this size are not parsed: they carry no usage, only bytes to skip. */
export const MAX_PARSED_USER_LINE = 256 * 1024;
const PEEK_BYTES = 64;
const PREVIEW_CHARS = 120;
const USER_PREFIX = Buffer.from('"type":"user"');

/**
 * Turns one stdout line into an event. Never throws: a line that is not a JSON object with a
 * string `type` comes back as `{ok: false}` so the caller can count it.
 */
export function parseStreamLine(line: Buffer): ParsedLine {
  if (line.length > MAX_PARSED_USER_LINE && startsAsUserLine(line)) {
    return { ok: true, event: { type: 'user', oversized: { bytes: line.length, preview: previewOf(line) } } };
  }
  const text = line.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: (error as Error).message, preview: shorten(text) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object', preview: shorten(text) };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, reason: 'no "type" field', preview: shorten(text) };
  if (type === 'assistant' && !isObject((value as { message?: unknown }).message)) {
    return { ok: false, reason: 'assistant event without a message', preview: shorten(text) };
  }
  return { ok: true, event: value as StreamEvent };
}

function startsAsUserLine(line: Buffer): boolean {
  const head = line.subarray(0, PEEK_BYTES);
  return head.indexOf(USER_PREFIX) !== -1;
}

function previewOf(line: Buffer): string {
  const head = line.subarray(0, 4096).toString('utf8');
  const at = head.indexOf('"content":');
  return shorten(at === -1 ? head : head.slice(at + '"content":'.length));
}

function shorten(text: string): string {
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}
