import * as z from 'zod';

/**
 * The stream-json lines of `claude -p --output-format stream-json --verbose` that we read,
 * declared once: the types below are inferred from these schemas, parse-line.ts validates every
 * parsed line against them, and `z.toJSONSchema` can export them. Objects are loose: fields we
 * do not read pass through untouched. A line that does not fit its type's schema is a malformed
 * line, so no consumer ever meets a shape it was not written for.
 */

const tokenCount = z.number().finite().nonnegative();
/** Seconds since the epoch that a Date can hold (up to year 275760). */
const epochSeconds = z.number().finite().min(0).max(8.64e12);

export const rawUsageSchema = z.looseObject({
  input_tokens: tokenCount.optional(),
  output_tokens: tokenCount.optional(),
  cache_creation_input_tokens: tokenCount.optional(),
  cache_read_input_tokens: tokenCount.optional(),
});

export const rawModelUsageSchema = z.looseObject({
  inputTokens: tokenCount.optional(),
  outputTokens: tokenCount.optional(),
  cacheReadInputTokens: tokenCount.optional(),
  cacheCreationInputTokens: tokenCount.optional(),
  /** Since Claude Code 2.1.3xx: the cache-write split, per model. */
  cacheCreationEphemeral5mInputTokens: tokenCount.optional(),
  cacheCreationEphemeral1hInputTokens: tokenCount.optional(),
  costUSD: z.number().finite().nonnegative().optional(),
});

export const contentBlockSchema = z.looseObject({
  type: z.string(),
  id: z.string().optional(),
  text: z.string().optional(),
  thinking: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  tool_use_id: z.string().optional(),
  content: z.unknown().optional(),
  is_error: z.boolean().nullish(),
});

export const systemEventSchema = z.looseObject({
  type: z.literal('system'),
  subtype: z.string().optional(),
  session_id: z.string().optional(),
  model: z.string().optional(),
  cwd: z.string().optional(),
  apiKeySource: z.string().optional(),
  /** `task_started` (a subagent call began): the subagent's id (its transcript is `agent-<task_id>.jsonl`), the Task tool_use it serves, its type. */
  task_id: z.string().optional(),
  tool_use_id: z.string().optional(),
  subagent_type: z.string().optional(),
  attempt: z.number().optional(),
  max_retries: z.number().optional(),
  retry_delay_ms: z.number().optional(),
  error_status: z.number().nullish(),
  error: z.string().nullish(),
});

export const assistantEventSchema = z.looseObject({
  type: z.literal('assistant'),
  message: z.looseObject({
    id: z.string().optional(),
    model: z.string().optional(),
    content: z.array(contentBlockSchema).optional(),
    usage: rawUsageSchema.optional(),
  }),
  parent_tool_use_id: z.string().nullish(),
  session_id: z.string().optional(),
});

/**
 * A tool-result line. It is never parsed nor validated (see parse-line.ts): only its size and
 * the start of its first result's text are kept.
 */
export const userEventSchema = z.object({
  type: z.literal('user'),
  bytes: z.number(),
  preview: z.string(),
});

export const resultEventSchema = z.looseObject({
  type: z.literal('result'),
  subtype: z.string().optional(),
  is_error: z.boolean().optional(),
  result: z.string().optional(),
  errors: z.array(z.string()).optional(),
  usage: rawUsageSchema.optional(),
  modelUsage: z.record(z.string(), rawModelUsageSchema).optional(),
  total_cost_usd: z.number().finite().optional(),
  duration_ms: z.number().finite().optional(),
  num_turns: z.number().finite().optional(),
  session_id: z.string().optional(),
  /**
   * Claude Code 2.1.3xx may print several results in one call (one per turn it answers, e.g.
   * after a background task's notification), numbered from 0. Each carries the CUMULATIVE
   * `modelUsage` of the call so far; `model_usage_since_last_result` is the part since the
   * previous result.
   */
  result_index: z.number().int().nonnegative().optional(),
  origin: z.looseObject({ kind: z.string().optional() }).nullish(),
  model_usage_since_last_result: z.record(z.string(), rawModelUsageSchema).optional(),
});

/**
 * `--include-partial-messages`: the API's server-sent events, one line each. Only two carry
 * usage: `message_start` (the message's id, model and input-side counts as soon as the response
 * begins) and `message_delta` (its output so far). All others (per-token deltas, many) are
 * recognised by their first bytes and never parsed (see parse-line.ts), so they arrive without
 * `event`.
 */
export const streamEventSchema = z.looseObject({
  type: z.literal('stream_event'),
  event: z
    .looseObject({
      type: z.string(),
      message: z.looseObject({ id: z.string().optional(), model: z.string().optional(), usage: rawUsageSchema.optional() }).optional(),
      usage: rawUsageSchema.nullish(),
    })
    .optional(),
  parent_tool_use_id: z.string().nullish(),
  /** Since 2.1.3xx, on every partial event: the message it belongs to. */
  api_message_id: z.string().optional(),
});

export const rateLimitEventSchema = z.looseObject({
  type: z.literal('rate_limit_event'),
  rate_limit_info: z
    .looseObject({
      status: z.string().optional(),
      resetsAt: epochSeconds.optional(),
      rateLimitType: z.string().optional(),
    })
    .optional(),
});

/** Events of any other type: allowed, passed on, read by no one. */
export const otherEventSchema = z.looseObject({ type: z.string() });

/** The schema each known event type must fit (tool-result lines are never validated). */
export const KNOWN_EVENT_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  system: systemEventSchema,
  assistant: assistantEventSchema,
  result: resultEventSchema,
  rate_limit_event: rateLimitEventSchema,
  stream_event: streamEventSchema,
};

export type RawUsage = z.infer<typeof rawUsageSchema>;
export type RawModelUsage = z.infer<typeof rawModelUsageSchema>;
export type ContentBlock = z.infer<typeof contentBlockSchema>;
export type SystemEvent = z.infer<typeof systemEventSchema>;
export type AssistantEvent = z.infer<typeof assistantEventSchema>;
export type UserEvent = z.infer<typeof userEventSchema>;
export type ResultEvent = z.infer<typeof resultEventSchema>;
export type RateLimitEvent = z.infer<typeof rateLimitEventSchema>;
export type PartialMessageEvent = z.infer<typeof streamEventSchema>;
export type OtherEvent = z.infer<typeof otherEventSchema>;

export type StreamEvent = SystemEvent | AssistantEvent | UserEvent | ResultEvent | RateLimitEvent | PartialMessageEvent | OtherEvent;

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
export function isPartialMessage(event: StreamEvent): event is PartialMessageEvent {
  return event.type === 'stream_event';
}
