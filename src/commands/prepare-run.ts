import { setTimeout as sleep } from 'node:timers/promises';
import { withoutAdminKey } from '../billing/settings.js';
import { findExecutable } from '../claude/find-executable.js';
import { configPathFor, loadConfig } from '../config/load.js';
import { CLAUDE_BIN_ENV } from '../config/types.js';
import { UserError } from '../errors/user-error.js';
import type { RunContext } from '../pipeline/run-context.js';
import { checkStepModelsPriced, withMaxUsd } from '../pipeline/budget/caps.js';
import chalk from 'chalk';
import { createProgress } from '../report/progress.js';
import { ensureWritableFolder } from '../state/writable-folder.js';
import { startTelemetry } from '../telemetry/start.js';

export interface CommonOptions {
  config?: string;
  quiet: boolean;
  /** `--max-usd`: the task's cap for `run`, the sequence's for `sequence`. */
  maxUsd?: number;
}

/**
 * Everything a run needs, checked before anything runs: the config, a `claude` that exists, and
 * state and logs folders that can be written.
 * SIGINT/SIGTERM/SIGHUP abort the returned signal; a second one kills claude at once (see abortOnSignals).
 * With metrics on (docs/telemetry.md), `closeTelemetry` must be awaited before the command ends, whatever its exit code.
 */
export async function prepareRun(
  options: CommonOptions,
  command: 'run' | 'sequence',
  shard?: string,
): Promise<{ ctx: RunContext; stopProgress: () => void; closeTelemetry: () => Promise<void> }> {
  const env = process.env;
  const config = withMaxUsd(await loadConfig(configPathFor(options.config, process.cwd()), env), command, options.maxUsd);
  checkStepModelsPriced(config, (line) => process.stderr.write(`${line}\n`));
  const found = await findExecutable(config.claude.command, config.rootDir, env);
  if (!found) {
    throw new UserError(
      `claude executable not found: ${JSON.stringify(config.claude.command)}. Install Claude Code ` +
        `(npm install -g @anthropic-ai/claude-code), or set claude.command in ${config.file} ` +
        `or the ${CLAUDE_BIN_ENV} environment variable to its path.`,
    );
  }
  config.claude.command = found;
  await ensureWritableFolder(config.statePath, 'state folder', `statePath in ${config.file}`);
  await ensureWritableFolder(config.logsPath, 'logs folder', `logsPath in ${config.file}`);
  if (env.NO_COLOR) chalk.level = 0;
  const progress = createProgress({
    write: (text) => {
      if (!options.quiet) process.stderr.write(text);
    },
    tty: !options.quiet && process.stderr.isTTY === true,
    now: Date.now,
  });
  const telemetry = await startTelemetry(config, env, {
    ...(shard !== undefined && { shard }),
    warn: (line) => process.stderr.write(`claude-project: warning: ${line}\n`),
  });
  const ctx: RunContext = {
    config,
    env: withoutAdminKey(env),
    report: telemetry
      ? (event) => {
          progress.report(event);
          telemetry.report(event);
        }
      : progress.report,
    ...abortOnSignals(),
    now: Date.now,
    sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
  };
  return { ctx, stopProgress: progress.stop, closeTelemetry: async () => closeWithin(telemetry, ctx) };
}

/**
 * Sends the last metrics, however the run ended; a signal that comes while they are being sent
 * (the first, or after an interrupted run the second) ends the wait: the user asked to stop.
 */
async function closeWithin(telemetry: { close(): Promise<void> } | null, ctx: RunContext): Promise<void> {
  if (!telemetry) return;
  const stop = ctx.signal.aborted ? ctx.stopNow : ctx.signal;
  let onStop = (): void => undefined;
  const stopped = new Promise<void>((resolve) => {
    onStop = () => resolve();
    stop.addEventListener('abort', onStop, { once: true });
  });
  try {
    await Promise.race([telemetry.close(), stopped]);
  } finally {
    stop.removeEventListener('abort', onStop);
  }
}

/**
 * SIGINT/SIGTERM/SIGHUP: the first stops claude (SIGTERM, then SIGKILL after a grace period) and
 * the run ends as interrupted; a second SIGKILLs claude's process group at once, and the run
 * still records the attempt interrupted before it exits 130; a third exits at once.
 */
function abortOnSignals(): { signal: AbortSignal; stopNow: AbortSignal } {
  const stop = new AbortController();
  const now = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (now.signal.aborted) process.exit(130);
    if (stop.signal.aborted) {
      process.stderr.write(`\n${signal} again: killing claude now (SIGKILL) and saving what it used (again to quit at once)\n`);
      now.abort();
      return;
    }
    process.stderr.write(`\n${signal}: stopping claude and saving what it used (again to kill it at once)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  return { signal: stop.signal, stopNow: now.signal };
}
