/** The stream-json lines of `claude -p --output-format stream-json --verbose` that we read. */

export interface RawUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface RawModelUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  costUSD?: number;
}

export interface ContentBlock {
  type: string;
  id?: string;
  text?: string;
  thinking?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
}

export interface SystemEvent {
  type: 'system';
  subtype?: string;
  session_id?: string;
  model?: string;
  cwd?: string;
  attempt?: number;
  max_retries?: number;
  retry_delay_ms?: number;
  error_status?: number | null;
  error?: string;
}

export interface AssistantEvent {
  type: 'assistant';
  message: { id?: string; model?: string; content?: ContentBlock[]; usage?: RawUsage };
  parent_tool_use_id?: string | null;
  session_id?: string;
}

/**
 * A tool-result line. It is never parsed (see parse-line.ts): only its size and the start of
 * its first result's text are kept.
 */
export interface UserEvent {
  type: 'user';
  bytes: number;
  preview: string;
}

export interface ResultEvent {
  type: 'result';
  subtype?: string;
  is_error?: boolean;
  result?: string;
  errors?: string[];
  usage?: RawUsage;
  modelUsage?: Record<string, RawModelUsage>;
  total_cost_usd?: number;
  duration_ms?: number;
  num_turns?: number;
  session_id?: string;
}

export interface RateLimitEvent {
  type: 'rate_limit_event';
  rate_limit_info?: { status?: string; resetsAt?: number; rateLimitType?: string };
}

export interface OtherEvent {
  type: string;
}

export type StreamEvent = SystemEvent | AssistantEvent | UserEvent | ResultEvent | RateLimitEvent | OtherEvent;

export function isAssistant(event: StreamEvent): event is AssistantEvent {
  return event.type === 'assistant';
}
export function isUser(event: StreamEvent): event is UserEvent {
  return event.type === 'user';
}
export function isResult(event: StreamEvent): event is ResultEvent {
  return event.type === 'result';
}
export function isSystem(event: StreamEvent): event is SystemEvent {
  return event.type === 'system';
}
export function isRateLimit(event: StreamEvent): event is RateLimitEvent {
  return event.type === 'rate_limit_event';
}
