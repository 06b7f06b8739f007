import * as z from 'zod';
import { ATTEMPT_OUTCOMES } from '../state/task-state.js';
import { ModelTokenUsageSchema, USAGE_SOURCES } from '../usage/types.js';

/**
 * The lines claude-project adds to a step's raw `.jsonl` log around each attempt (Claude Code never
 * prints type "claude_project"), declared once: what `StepLog.marker` writes and what the raw log reader
 * reader accepts. A marker that does not fit is a malformed line, like any other.
 */
export const RAW_LOG_MARKER_TYPE = 'claude_project';

const attempt = z.number().int().min(1);

const AttemptStartSchema = z.object({
  type: z.literal(RAW_LOG_MARKER_TYPE),
  event: z.literal('attempt_start'),
  attempt,
  step: z.string().optional(),
  model: z.string().optional(),
  startedAt: z.string().optional(),
  sessionId: z.string().optional(),
  /** Written by recovery after a kill, for an attempt whose section the log did not have. */
  recovered: z.boolean().optional(),
});

const AttemptEndSchema = z.object({
  type: z.literal(RAW_LOG_MARKER_TYPE),
  event: z.literal('attempt_end'),
  attempt,
  outcome: z.enum(ATTEMPT_OUTCOMES),
  exitCode: z.number().int().nullable().optional(),
  usageSource: z.enum(USAGE_SOURCES),
  /** The usage the session transcript gave, when that was the source: the raw log alone then rebuilds it. */
  transcriptUsage: ModelTokenUsageSchema.optional(),
  /**
   * The 1-hour cache writes per model that the subagents' transcripts showed, when they split a
   * result's cache writes: the raw log alone then rebuilds the split.
   */
  cacheWrites1h: z.record(z.string(), z.number().int().nonnegative()).optional(),
  recovered: z.boolean().optional(),
});

export const RawLogMarkerSchema = z.discriminatedUnion('event', [AttemptStartSchema, AttemptEndSchema]);
export type RawLogMarker = z.output<typeof RawLogMarkerSchema>;
/** A marker as it is written (without its `type`, which the writer adds). */
export type RawLogMarkerFields = DistributiveOmit<z.input<typeof RawLogMarkerSchema>, 'type'>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
