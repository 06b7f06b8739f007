import * as z from 'zod';
import { ReconcileDocumentSchema } from './report/reconcile/document-schema.js';
import { ConfigSchema } from './config/schema.js';
import { RawLogMarkerSchema } from './pipeline/raw-log-marker.js';
import { PriceListSchema, RunSummarySchema, StatusDataSchema } from './report/output-schemas.js';
import { SequenceStateSchema } from './state/sequence-state.js';
import { TaskStateSchema } from './state/task-state.js';

/**
 * The JSON Schemas shipped in schema/, each made from the declaration the code itself uses:
 * `npm run schemas` writes them, and a test fails when a file differs from its declaration.
 */
export interface SchemaFile {
  schema: z.ZodType;
  title: string;
  description: string;
}

export const SCHEMA_FILES: Record<string, SchemaFile> = {
  'config.schema.json': {
    schema: ConfigSchema,
    title: 'claude-project.yaml',
    description:
      'The configuration of claude-project: the pipeline of steps run for every task, and how claude is called. Unknown keys are errors.',
  },
  'task-state.schema.json': {
    schema: TaskStateSchema,
    title: 'claude-project task state (<statePath>/<name>.state.json)',
    description:
      'One task: its phase, its steps, every attempt with its usage per model and where the numbers came from, and the task total. Written atomically by claude-project; later versions only add fields.',
  },
  'sequence-state.schema.json': {
    schema: SequenceStateSchema,
    title: 'claude-project sequence state (<statePath>/sequence.state.json)',
    description:
      "A sequence of tasks: which are done or failed, each task's totals, and the sequence's totals (the sum of its tasks). Later versions only add fields.",
  },
  'journal-marker.schema.json': {
    schema: RawLogMarkerSchema,
    title: 'claude-project raw log marker (<logsPath>/<name>/<NN>-<step>.jsonl)',
    description:
      "The lines claude-project adds to a step's raw stream log around each attempt (type claude_project); every other line is Claude Code's stream-json, byte for byte. recount rebuilds every number of the state files from these logs.",
  },
  'reconcile.schema.json': {
    schema: ReconcileDocumentSchema,
    title: 'claude-project reconcile --json',
    description:
      'What `claude-project reconcile [task.md|dir] --json` prints: the overall status, the window and API key checked, recorded vs billed per model and count, per task and for the sequence, the minute buckets used and, informational, the cost report. Every field is always present (null when unknown).',
  },
  'status.schema.json': {
    schema: StatusDataSchema,
    title: 'claude-project status --json',
    description:
      'What `claude-project status [task.md|dir] --json` prints: tasks -> steps -> attempts, each with per-model usage rows and their total; totals over the tasks shown; the sequence, when one is shown. Every field is always present (null when unknown). schemaVersion changes only when a field changes meaning or goes away; within a version fields are only added (and this schema with them).',
  },
  'prices.schema.json': {
    schema: PriceListSchema,
    title: 'claude-project prices --json',
    description:
      'What `claude-project prices [model…] --json` prints: the price database and its version, and for each model its rates in USD per million tokens (input, output, 5-minute and 1-hour cache writes, cache reads), its long-context rule and who priced it (null rates: no table knows it).',
  },
  'run-summary.schema.json': {
    schema: RunSummarySchema,
    title: 'claude-project run --json / sequence --json',
    description:
      "The one line `run --json` and `sequence --json` print on stdout when they end, whatever the outcome: the summary, whose exitCode is the process's. Every field is always present (null when unknown); within a schemaVersion fields are only added.",
  },
};

/** A declaration as the JSON Schema (draft 2020-12) of what may be written in the file. */
export function jsonSchemaOf(file: SchemaFile): Record<string, unknown> {
  const options = { io: 'input', target: 'draft-2020-12', reused: 'ref' } as const;
  const { $schema, ...rest } = z.toJSONSchema(file.schema, options) as Record<string, unknown>;
  return { $schema, title: file.title, description: file.description, ...rest };
}
