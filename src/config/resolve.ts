import path from 'node:path';
import type { ConfigFile } from './schema.js';
import { CLAUDE_BIN_ENV, type ProjectConfig, type StepConfig } from './types.js';

/**
 * The config a run uses, from the file as read (defaults already filled by the declaration):
 * paths made absolute, the environment's claude command applied, and each step's effective
 * settings resolved here, once.
 */
export function resolveConfig(raw: ConfigFile, at: { file: string; rootDir: string; env: NodeJS.ProcessEnv }): ProjectConfig {
  const envCommand = at.env[CLAUDE_BIN_ENV]?.trim();
  return {
    ...raw,
    file: at.file,
    rootDir: at.rootDir,
    claude: { ...raw.claude, command: envCommand || raw.claude.command },
    statePath: path.resolve(at.rootDir, raw.statePath),
    logsPath: path.resolve(at.rootDir, raw.logsPath),
    pipeline: raw.pipeline.map((step, index) => resolveStep(raw, step, index)),
  };
}

function resolveStep(raw: ConfigFile, step: ConfigFile['pipeline'][number], index: number): StepConfig {
  const { model, timeoutSeconds, budgetUsd, ...rest } = step;
  const stepUsd = raw.budget.stepUsd;
  return {
    ...rest,
    model: model ?? raw.model,
    modelKey: model !== undefined ? `pipeline[${index}].model` : 'model',
    timeoutSeconds: timeoutSeconds ?? raw.timeoutSeconds,
    retries: step.check?.retries ?? 0,
    cap:
      budgetUsd !== undefined
        ? { usd: budgetUsd, source: `pipeline[${index}].budgetUsd` }
        : stepUsd !== undefined
          ? { usd: stepUsd, source: 'budget.stepUsd' }
          : undefined,
  };
}
