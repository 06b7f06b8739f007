import { firstIssueText } from '../declare/issues.js';
import { truncate } from '../format/truncate.js';
import { KNOWN_EVENT_SCHEMAS, type StreamEvent } from './stream-events.js';

export type ParsedLine = { ok: true; event: StreamEvent } | { ok: false; reason: string; preview: string };

const PEEK_BYTES = 32;
const PREVIEW_SOURCE_BYTES = 8 * 1024;
const PREVIEW_CHARS = 1000;
const MALFORMED_PREVIEW_CHARS = 120;
const USER_PREFIX = Buffer.from('"type":"user"');
const PREVIEW_DECODE_BYTES = 4 * 1024;
const CONTENT_KEY = Buffer.from('"content":');
const TOOL_RESULT_KEY = Buffer.from('"tool_result"');
const TEXT_KEY = Buffer.from('"text":"');
/** How Claude Code starts every partial-message line; the event's own type follows. */
const PARTIAL_PREFIX = Buffer.from('{"type":"stream_event","event":{"type":"');
const PARTIAL_WITH_USAGE = [Buffer.from('message_start"'), Buffer.from('message_delta"')];
const PARTIAL_WITHOUT_USAGE: ParsedLine = { ok: true, event: { type: 'stream_event' } };

/**
 * Turns one stdout line into an event. Never throws: a line that is not a JSON object with a
 * string `type`, or whose type is one we read but whose shape does not fit its schema
 * (stream-events.ts), comes back as `{ok: false}` so the caller can count it. Events of other
 * types pass through as they are.
 *
 * Tool-result (`user`) lines carry no usage but most of the bytes (whole files, megabytes per
 * line), so they are recognised by their first bytes and never decoded or parsed whole: only a
 * preview of their start is kept, for the readable log.
 */
export function parseStreamLine(line: Buffer): ParsedLine {
  if (isToolResultHead(line)) return toolResultLine(line, line.length, line[line.length - 1]);
  if (isPartialWithoutUsage(line)) return PARTIAL_WITHOUT_USAGE;
  const text = line.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: (error as Error).message, preview: truncate(text, MALFORMED_PREVIEW_CHARS) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object', preview: truncate(text, MALFORMED_PREVIEW_CHARS) };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, reason: 'no "type" field', preview: truncate(text, MALFORMED_PREVIEW_CHARS) };
  const schema = KNOWN_EVENT_SCHEMAS[type];
  if (schema) {
    const checked = schema.safeParse(value);
    if (!checked.success)
      return {
        ok: false,
        reason: `${type} event of an unexpected shape: ${firstIssueText(checked.error)}`,
        preview: truncate(text, MALFORMED_PREVIEW_CHARS),
      };
  }
  return { ok: true, event: value as StreamEvent };
}

/**
 * A partial-message line (`--include-partial-messages`) of a kind that carries no usage: one per
 * token delta or block boundary, so most lines of a call. Known by its first bytes, never parsed.
 * A whole line ends in "}"; a cut one is left to the parser, which reports it.
 */
function isPartialWithoutUsage(line: Buffer): boolean {
  if (line.length < PARTIAL_PREFIX.length || line[line.length - 1] !== 0x7d) return false;
  if (line.compare(PARTIAL_PREFIX, 0, PARTIAL_PREFIX.length, 0, PARTIAL_PREFIX.length) !== 0) return false;
  const at = PARTIAL_PREFIX.length;
  return !PARTIAL_WITH_USAGE.some((kind) => line.compare(kind, 0, kind.length, at, at + kind.length) === 0);
}

/** How much of a tool-result line is kept when the rest is skipped (see LineSplitter). */
export const TOOL_RESULT_HEAD_BYTES = PREVIEW_SOURCE_BYTES;

/** Whether a line that starts with these bytes is a tool-result (`user`) line. */
export function isToolResultHead(head: Buffer): boolean {
  return head[0] === 0x7b && head.subarray(0, PEEK_BYTES).indexOf(USER_PREFIX) !== -1;
}

/** A tool-result line known by its head, length and last byte (a whole JSON object ends in "}"). */
export function toolResultLine(head: Buffer, bytes: number, lastByte: number | undefined): ParsedLine {
  if (lastByte !== 0x7d) {
    return {
      ok: false,
      reason: 'truncated tool-result line',
      preview: truncate(head.subarray(0, 200).toString('utf8'), MALFORMED_PREVIEW_CHARS),
    };
  }
  return { ok: true, event: { type: 'user', bytes, preview: toolResultPreview(head) } };
}

/**
 * The start of the first tool result's text, found in the line's first few KB by byte search and
 * decoded only from there, a few KB at most: `"content":"…"` (a JSON string, unescaped as far as
 * it is whole) or `"content":[{…"text":"…"`.
 */
export function toolResultPreview(line: Buffer): string {
  const head = line.subarray(0, PREVIEW_SOURCE_BYTES);
  let at = head.indexOf(CONTENT_KEY, head.indexOf(TOOL_RESULT_KEY) + 1);
  if (at === -1) at = head.indexOf(CONTENT_KEY);
  if (at === -1) return '';
  let from = at + CONTENT_KEY.length;
  if (head[from] === 0x5b) {
    const text = head.indexOf(TEXT_KEY, from);
    if (text !== -1) from = text + TEXT_KEY.length - 1;
  }
  if (head[from] !== 0x22) return decodeWindow(head, from).slice(0, PREVIEW_CHARS);
  return unescapeJsonPrefix(decodeWindow(head, from + 1)).slice(0, PREVIEW_CHARS);
}

/** Up to PREVIEW_DECODE_BYTES from `from`, cut on a UTF-8 character boundary, as text. */
function decodeWindow(bytes: Buffer, from: number): string {
  let end = Math.min(bytes.length, from + PREVIEW_DECODE_BYTES);
  if (end < bytes.length) while (end > from && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', from, end);
}

/** Decodes the JSON string body at the start of `text`, up to its closing quote or the end. */
function unescapeJsonPrefix(text: string): string {
  let end = 0;
  while (end < text.length && end < PREVIEW_CHARS * 2) {
    const char = text[end];
    if (char === '"') break;
    end += char === '\\' ? 2 : 1;
  }
  let body = text.slice(0, Math.min(end, text.length));
  // never end inside an escape such as \u00e9
  const cut = body.search(/\\(u[0-9a-fA-F]{0,3})?$/);
  if (cut !== -1) body = body.slice(0, cut);
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return body;
  }
}
