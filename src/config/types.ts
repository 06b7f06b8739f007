import type { ConfigFile } from './schema.js';

/*
 * The config as the code uses it, derived from the declaration in schema.ts (defaults filled
 * there): only what loading adds is written here, each step's effective settings among it.
 */

export type { ConfigFile } from './schema.js';

type StepFile = ConfigFile['pipeline'][number];

export type UsageLimitConfig = ConfigFile['rateLimit'];
/** `billing:` in claude-project.yaml (the environment is applied by `reconcile`). */
export type BillingConfig = ConfigFile['billing'];
/** A `pricing:` entry: USD per million tokens; cache rates default to 1.25x, 2x and 0.1x of input. */
export type PricingConfig = ConfigFile['pricing'][string];

/** A USD cap, and the key (or flag) that set it. */
export interface CapSetting {
  usd: number;
  source: string;
}

/** A step with its effective settings, resolved once when the config is loaded: its own, else the config's. */
export type StepConfig = Omit<StepFile, 'model' | 'timeoutSeconds' | 'budgetUsd'> & {
  model: string;
  /** The key the model came from: `pipeline[1].model` or `model`. */
  modelKey: string;
  /** No timeout when undefined. */
  timeoutSeconds: number | undefined;
  /** Re-runs of the step after a failed attempt (`check.retries`; 0 without a check). */
  retries: number;
  /** `pipeline[i].budgetUsd`, else `budget.stepUsd`. */
  cap: CapSetting | undefined;
};
/** `telemetry:` in claude-project.yaml, as written (the environment is applied when a run starts). */
export type TelemetryConfig = NonNullable<ConfigFile['telemetry']>;

/** USD caps; each covers everything spent in its scope in the state folder. */
export type BudgetConfig = ConfigFile['budget'] & {
  /** Which cap `--max-usd` set (it wins over the config's). */
  fromFlag?: 'sequenceUsd' | 'taskUsd';
};

export type ProjectConfig = Omit<ConfigFile, 'pipeline' | 'budget'> & {
  /** The file it was read from (absolute). */
  file: string;
  /** Where claude and checks run, and what relative paths are relative to: the config's folder. `statePath` and `logsPath` are absolute. */
  rootDir: string;
  budget: BudgetConfig;
  pipeline: StepConfig[];
};

export const CONFIG_FILE_NAME = 'claude-project.yaml';

/** Environment variable that overrides `claude.command`. */
export const CLAUDE_BIN_ENV = 'CLAUDE_PROJECT_CLAUDE_BIN';
