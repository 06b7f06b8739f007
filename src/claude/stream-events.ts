import { z } from 'zod';

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
};

export type RawUsage = z.infer<typeof rawUsageSchema>;
export type RawModelUsage = z.infer<typeof rawModelUsageSchema>;
export type ContentBlock = z.infer<typeof contentBlockSchema>;
export type SystemEvent = z.infer<typeof systemEventSchema>;
export type AssistantEvent = z.infer<typeof assistantEventSchema>;
export type UserEvent = z.infer<typeof userEventSchema>;
export type ResultEvent = z.infer<typeof resultEventSchema>;
export type RateLimitEvent = z.infer<typeof rateLimitEventSchema>;
export type OtherEvent = z.infer<typeof otherEventSchema>;

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
