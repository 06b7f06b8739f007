import { redactSecrets } from '../errors/redact.js';
import type { z } from 'zod';
import { bool, keyed, list, mapping, num, pattern, stringList, text } from '../declare/rules.js';
import { CHECK_ENV, PLACEHOLDERS, unknownPlaceholders } from './template.js';

/**
 * claude-project.yaml, declared once: the TypeScript types of the config (`ConfigFile`, and
 * src/config/types.ts from it), its runtime validation with the messages users see, its
 * defaults, and schema/config.schema.json all come from here.
 */

export const STEP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
export const MAX_STEP_NAME_LENGTH = 200;

/** Node's timers hold at most 2^31-1 ms; a longer timeout would fire at once. */
export const MAX_TIMEOUT_SECONDS = 2_147_483;

/** A USD cap: a number above 0. */
const usd = (): z.ZodNumber => num({ positive: true });

const seconds = (): z.ZodNumber => num({ min: 1, max: MAX_TIMEOUT_SECONDS, maxHint: 'about 24 days, the longest timer Node.js keeps' });

/** A template whose placeholders must all be known. */
const template = (): z.ZodString =>
  text().superRefine((value, ctx) => {
    for (const name of unknownPlaceholders(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder {{${name}}}; valid: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      });
    }
  });

/** A check command: a template, without {{taskContent}} (a check reads the task file instead). */
const checkCommand = (): z.ZodString =>
  template().superRefine((value, ctx) => {
    if (/\{\{\s*taskContent\s*\}\}/.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `{{taskContent}} is not available in a check (too big for a command line); read the file instead: "$${CHECK_ENV.taskPath}"`,
      });
    }
  });

export const StepSchema = mapping({
  // A step's logs are named `<NN>-<name>.jsonl`: a file name may take 255 bytes; a name cut short in the state file would no longer match its step.
  name: pattern(STEP_NAME_PATTERN, 'letters, digits, "-" and "_"')
    .max(MAX_STEP_NAME_LENGTH, {
      error: (issue) => `at most ${MAX_STEP_NAME_LENGTH} characters (its log files are named after it), got ${String(issue.input).length}`,
    })
    .refine((name) => redactSecrets(name, {}) === name, {
      message: 'looks like an API key (sk-ant-…), which is cut short in every file written: choose another name',
    }),
  model: text().optional(),
  prompt: template(),
  check: mapping({
    command: checkCommand(),
    /** Re-runs of the step when the check fails. */
    retries: num({ min: 0, integer: true }).default(0),
  }).optional(),
  timeoutSeconds: seconds().optional(),
  /** USD cap on this step, overriding `budget.stepUsd`. */
  budgetUsd: usd().optional(),
});

const pipeline = list(StepSchema, 1).superRefine((steps, ctx) => {
  const seen = new Set<string>();
  steps.forEach((step, index) => {
    // runs on partly invalid input too, so that every problem is reported at once
    if (typeof step?.name !== 'string') return;
    if (seen.has(step.name))
      ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate step name ${JSON.stringify(step.name)}` });
    seen.add(step.name);
  });
});

export const API_KEY_ID_PATTERN = /^apikey_[A-Za-z0-9]+$/;

const billing = mapping({
  adminApiUrl: pattern(/^https?:\/\/\S+$/, 'an http(s) URL').optional(),
  apiKeyId: pattern(API_KEY_ID_PATTERN, 'an API key id such as apikey_01Rj2N8SVvo6BePZj99NhmiT').optional(),
  /**
   * How long after a window ends billed data may still be missing before that is a mismatch:
   * the usage report's data typically arrives within 5 minutes, with no stated upper bound.
   */
  settleMinutes: num({ min: 0 }).default(60),
  /** The Admin API asks for at most one poll a minute in sustained use. */
  pollSeconds: seconds().default(60),
  /** One Admin API request's limit; a request that takes longer is retried, then reconcile exits 75. */
  requestTimeoutSeconds: seconds().default(30),
});

/** OpenTelemetry metrics over OTLP/HTTP; the standard OTEL_EXPORTER_OTLP_* variables win over it. */
const telemetry = mapping({
  /** The collector's base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT` takes it: `/v1/metrics` is added. */
  otlpEndpoint: pattern(/^https?:\/\/\S+$/, 'an http(s) URL such as http://localhost:4318').optional(),
});

const usdPerMillion = (): z.ZodNumber => num({ min: 0 });

/** USD per million tokens; the cache rates default to 1.25x (5-minute writes), 2x (1-hour) and 0.1x (reads) of input. */
const price = mapping({
  input: usdPerMillion(),
  output: usdPerMillion(),
  cacheWrite5m: usdPerMillion().optional(),
  cacheWrite1h: usdPerMillion().optional(),
  cacheRead: usdPerMillion().optional(),
});

export const ConfigSchema = mapping({
  /** The model of steps that name none. */
  model: text().default('claude-sonnet-4-5'),
  /** `command` is overridden by the CLAUDE_PROJECT_CLAUDE_BIN environment variable. */
  claude: mapping({
    command: text().default('claude'),
    args: stringList().default([]),
    /** After its result, claude has this long without a line printed to exit; then it is stopped (the call judged by its result). */
    exitAfterResultSeconds: seconds().default(600),
  }).prefault({}),
  /** Relative to the config's folder. */
  statePath: text().default('.claude-project/state'),
  /** Relative to the config's folder. */
  logsPath: text().default('.claude-project/logs'),
  timeoutSeconds: seconds().optional(),
  rateLimit: mapping({
    /** Wait for the limit to reset and re-run the step; false: stop with exit code 3. */
    wait: bool().default(true),
    /** Never wait longer than this for one reset. */
    maxWaitMinutes: num({ min: 0 }).default(360),
    /** Added to the reset time before re-running. */
    marginSeconds: num({ min: 0 }).default(60),
    /** A reset already past (or not said) still waits this long before the step re-runs. */
    minWaitSeconds: num({ min: 0 }).default(60),
    /** Re-runs in a row after usage limits without a reset time still to come; one more stops (exit 3). */
    maxReruns: num({ min: 0, integer: true }).default(5),
  }).prefault({}),
  billing: billing.prefault({}),
  /** USD caps; each covers everything spent in its scope in the state folder. */
  budget: mapping({ sequenceUsd: usd().optional(), taskUsd: usd().optional(), stepUsd: usd().optional() }).prefault({}),
  /** Prices by model-id prefix, looked up before the price database. */
  pricing: keyed(price)
    // an empty prefix would price every model, another provider's too, at these rates
    .refine((entries) => !Object.keys(entries).some((prefix) => prefix.trim() === ''), {
      error: 'a model-id prefix is empty: it would price every model; name the model (claude-sonnet-4-5) or its family (claude-sonnet-4)',
    })
    .default({}),
  telemetry: telemetry.optional(),
  pipeline,
});

/** claude-project.yaml as read: keys without a value dropped, every default filled. */
export type ConfigFile = z.output<typeof ConfigSchema>;
