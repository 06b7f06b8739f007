import type { ConfigFile } from './schema.js';

export interface CheckConfig {
  command: string;
  /** Re-runs of the step when the check fails. */
  retries: number;
}

export interface StepConfig {
  name: string;
  model?: string;
  prompt: string;
  check?: CheckConfig;
  timeoutSeconds?: number;
  /** USD cap on this step, overriding `budget.stepUsd`. */
  budgetUsd?: number;
}

export interface RateLimitConfig {
  /** Wait for the limit to reset and re-run the step; false: stop with exit code 3. */
  wait: boolean;
  /** Never wait longer than this for one reset. */
  maxWaitMinutes: number;
  /** Added to the reset time before re-running. */
  marginSeconds: number;
  /** A reset already past (or not said) still waits this long before the step re-runs. */
  minWaitSeconds: number;
  /** Re-runs in a row after usage limits without a reset time still to come; one more stops (exit 3). */
  maxReruns: number;
}

/** `billing:` in claude-project.yaml, as written (defaults and environment are applied by `reconcile`). */
export type BillingConfig = NonNullable<ConfigFile['billing']>;

/** A `pricing:` entry: USD per million tokens; cache rates default to 1.25x, 2x and 0.1x of input. */
export type PricingConfig = NonNullable<ConfigFile['pricing']>[string];
/** `telemetry:` in claude-project.yaml, as written (the environment is applied when a run starts). */
export type TelemetryConfig = NonNullable<ConfigFile['telemetry']>;

/** USD caps; each covers everything spent in its scope in the state folder. */
export interface BudgetConfig {
  sequenceUsd?: number;
  taskUsd?: number;
  stepUsd?: number;
  /** Which cap `--max-usd` set (it wins over the config's). */
  fromFlag?: 'sequenceUsd' | 'taskUsd';
}

export interface ProjectConfig {
  /** The file it was read from (absolute). */
  file: string;
  /** Where claude and checks run, and what relative paths are relative to: the config's folder. */
  rootDir: string;
  model: string;
  claude: { command: string; args: string[] };
  /** Absolute. */
  statePath: string;
  /** Absolute. */
  logsPath: string;
  timeoutSeconds?: number;
  rateLimit: RateLimitConfig;
  billing: BillingConfig;
  /** Prices by model-id prefix, looked up before the price database. */
  pricing: Record<string, PricingConfig>;
  budget: BudgetConfig;
  /** Absent or without an endpoint: metrics go out only if the OTEL_EXPORTER_OTLP_* environment names one. */
  telemetry?: TelemetryConfig;
  pipeline: StepConfig[];
}

export const CONFIG_FILE_NAME = 'claude-project.yaml';

export const DEFAULTS = {
  model: 'claude-sonnet-4-5',
  claudeCommand: 'claude',
  statePath: '.claude-project/state',
  logsPath: '.claude-project/logs',
  rateLimit: { wait: true, maxWaitMinutes: 360, marginSeconds: 60, minWaitSeconds: 60, maxReruns: 5 },
  checkRetries: 0,
} as const;

/** Environment variable that overrides `claude.command`. */
export const CLAUDE_BIN_ENV = 'CLAUDE_PROJECT_CLAUDE_BIN';
