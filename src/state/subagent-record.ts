import type { z } from 'zod';
import { record, text } from '../declare/rules.js';
import { ModelTokenUsageSchema } from '../usage/types.js';

/**
 * One subagent call of an attempt (a Task tool use): which tool use it served, the agent id of its
 * transcript, its type, and its usage per model from that transcript (each message once, with
 * its final counts).
 */
export const SubagentUsageSchema = record({
  /** The Task tool_use id (the stream's `parent_tool_use_id` for the subagent's lines); null when the stream did not say. */
  toolUseId: text().nullable(),
  agentId: text(),
  subagentType: text().optional(),
  usage: ModelTokenUsageSchema,
});
export type SubagentUsage = z.infer<typeof SubagentUsageSchema>;
