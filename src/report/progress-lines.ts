import chalk from 'chalk';
import type { PipelineEvent, Reporter } from '../pipeline/events.js';
import { totalOf } from '../usage/math.js';
import { formatCost, formatCount } from '../usage/rows.js';
import type { ModelTokenUsage } from '../usage/types.js';

const WAIT_REPORT_EVERY_MS = 30_000;

function brief(usage: ModelTokenUsage): string {
  const total = totalOf(usage);
  return `in ${formatCount(total.inputTokens)} · out ${formatCount(total.outputTokens)} · cache w ${formatCount(total.cacheCreationInputTokens)} · cache r ${formatCount(total.cacheReadInputTokens)} · ${formatCost(total.costUsd)}`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** Plain progress lines (no cursor movement), for any output: a line per step start and end. */
export function progressLines(write: (line: string) => void): Reporter {
  let lastWaitReport = Number.POSITIVE_INFINITY;
  return (event: PipelineEvent) => {
    switch (event.type) {
      case 'task-start':
        write(chalk.bold(`▶ ${event.taskName} (${event.taskPath}): ${event.stepCount} step(s)`));
        break;
      case 'task-skip':
        write(chalk.dim(`▷ ${event.taskName}: ${event.reason}`));
        break;
      case 'step-skip':
        write(chalk.dim(`  · ${event.step}: ${event.reason}`));
        break;
      case 'attempt-start':
        lastWaitReport = Number.POSITIVE_INFINITY;
        write(`  ${event.step} · attempt ${event.attempt} · ${event.model} · log ${event.logPath}`);
        break;
      case 'attempt-usage':
        break;
      case 'attempt-end': {
        const ok = event.outcome === 'passed';
        const mark = ok ? chalk.green('✔') : chalk.red('✖');
        const detail = event.detail && !ok ? ` (${event.detail})` : '';
        write(`  ${mark} ${event.step} · attempt ${event.attempt} ${event.outcome}${detail} in ${formatDuration(event.durationMs)} · ${brief(event.usage)} (${event.usageSource})`);
        break;
      }
      case 'rate-limit-wait':
        if (lastWaitReport - event.remainingMs >= WAIT_REPORT_EVERY_MS) {
          lastWaitReport = event.remainingMs;
          write(chalk.yellow(`  ⏳ usage limit: re-running ${event.step} in ${formatDuration(event.remainingMs)} (at ${new Date(event.resetsAtMs).toISOString()})`));
        }
        break;
      case 'task-end': {
        const color = event.phase === 'done' ? chalk.green : chalk.red;
        write(color(`■ ${event.taskName}: ${event.phase}${event.error ? ` (${event.error})` : ''} · ${brief(event.tokenUsage)}`));
        break;
      }
    }
  };
}
