import { redactSecrets } from '../errors/redact.js';
import { formatCount } from '../format/format-usage.js';
import { truncate } from '../format/truncate.js';
import { isAssistant, isRateLimit, isResult, isSystem, isUser, type ContentBlock, type StreamEvent } from './stream-events.js';

const TOOL_RESULT_CHARS = 1000;
const TOOL_INPUT_CHARS = 500;
const ASSISTANT_TEXT_CHARS = 20_000;

// Secrets are cut short before the text is: a cut through a key would leave more of it than the rule shows.
const shorten = (text: string, max: number): string => truncate(redactSecrets(text), max, { sayHowMuch: true });

function indent(text: string): string {
  return text.replaceAll('\n', '\n    ');
}

/** JSON of a tool's input with long strings cut first, so a whole file is never serialised. */
function inputPreview(input: unknown): string {
  const cut = (value: unknown): unknown => {
    if (typeof value === 'string') return truncate(redactSecrets(value), TOOL_INPUT_CHARS);
    if (Array.isArray(value)) return value.slice(0, 20).map(cut);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v)]));
    return value;
  };
  return shorten(JSON.stringify(cut(input)) ?? '', TOOL_INPUT_CHARS);
}

function formatBlock(block: ContentBlock, who: string): string | undefined {
  switch (block.type) {
    case 'text':
      return block.text ? `${who} ${indent(shorten(block.text, ASSISTANT_TEXT_CHARS))}` : undefined;
    case 'thinking':
      return block.thinking ? `${who} (thinking) ${indent(shorten(block.thinking, TOOL_RESULT_CHARS))}` : undefined;
    case 'tool_use':
      return `${who} → ${block.name ?? 'tool'} ${inputPreview(block.input)}`;
    default:
      return undefined;
  }
}

/** One event as lines of the readable step log; undefined for events not worth a line. */
export function formatEvent(event: StreamEvent): string | undefined {
  if (isAssistant(event)) {
    const who = event.parent_tool_use_id ? `[${event.message.model ?? '?'} · subagent]` : `[${event.message.model ?? '?'}]`;
    const lines = (event.message.content ?? []).map((block) => formatBlock(block, who)).filter(Boolean);
    return lines.length > 0 ? lines.join('\n') : undefined;
  }
  if (isUser(event)) {
    const size = event.bytes > TOOL_RESULT_CHARS ? ` [line of ${formatCount(event.bytes)} bytes]` : '';
    return event.preview || size ? `    ← ${indent(shorten(event.preview, TOOL_RESULT_CHARS))}${size}` : undefined;
  }
  if (isResult(event)) {
    const seconds = event.duration_ms !== undefined ? ` · ${(event.duration_ms / 1000).toFixed(1)}s` : '';
    const turns = event.num_turns !== undefined ? ` · ${event.num_turns} turns` : '';
    const text = event.result ?? event.errors?.join('; ') ?? '';
    return `[result ${event.subtype ?? ''}${event.is_error ? ' · error' : ''}${turns}${seconds}] ${indent(shorten(text, TOOL_RESULT_CHARS))}`;
  }
  if (isSystem(event)) {
    if (event.subtype === 'init') return `[session ${event.session_id ?? '?'} · ${event.model ?? '?'}]`;
    if (event.subtype === 'api_retry') {
      return `[api retry ${event.attempt ?? '?'}/${event.max_retries ?? '?'} after ${event.retry_delay_ms ?? '?'} ms: ${event.error ?? event.error_status ?? ''}]`;
    }
    return undefined;
  }
  if (isRateLimit(event)) {
    const info = event.rate_limit_info ?? {};
    const resets = info.resetsAt ? ` · resets ${new Date(info.resetsAt * 1000).toISOString()}` : '';
    return `[rate limit ${info.status ?? '?'}${info.rateLimitType ? ` · ${info.rateLimitType}` : ''}${resets}]`;
  }
  return undefined;
}
