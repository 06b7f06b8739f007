import { Chalk, chalkStderr } from 'chalk';
import type { PipelineEvent, Reporter } from '../pipeline/events.js';
import { totalOf } from '../usage/math.js';
import { formatUsageLine } from '../format/format-usage.js';
import { truncate } from '../format/truncate.js';
import type { ModelTokenUsage } from '../usage/types.js';
import { formatDuration } from '../format/format-duration.js';

export interface ProgressOptions {
  write: (text: string) => void;
  /** On a TTY one status line is redrawn in place; elsewhere plain lines only. */
  tty: boolean;
  now: () => number;
  /** Off a TTY, a line this often while a step runs or waits. */
  plainEveryMs?: number;
  /** How often the status line is redrawn (TTY), or checked for a plain line that is due (elsewhere). */
  redrawEveryMs?: number;
  /** Colours (bold, green, red, dim). Default: stderr supports them and NO_COLOR is not set. */
  color?: boolean;
  /** On a TTY, the terminal's width: the status line is cut to fit. Default: stderr's columns. */
  columns?: () => number;
}

/** Whether progress on stderr may use colour: a colour terminal, and no NO_COLOR (no-color.org). */
export function stderrColor(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR && chalkStderr.level > 0;
}

export interface Progress {
  report: Reporter;
  /** Clears the status line and stops redrawing. */
  stop(): void;
}

function brief(usage: ModelTokenUsage): string {
  return formatUsageLine(totalOf(usage), 'brief');
}

const CLEAR_LINE = '\r\x1b[2K';

interface Running {
  taskName: string;
  step: string;
  attempt: number;
  model: string;
  startedMs: number;
  usage: ModelTokenUsage;
  waitUntilMs?: number;
}

/**
 * Live progress: lines for what happened (task and step start and end), and while a step
 * runs, its task, step, attempt, model, elapsed time, tokens so far (an estimate until the result)
 * and cost — redrawn in place on a TTY, repeated every 30 s as a plain line elsewhere.
 */
export function createProgress(options: ProgressOptions): Progress {
  const { write, tty, now } = options;
  const plainEveryMs = options.plainEveryMs ?? 30_000;
  const chalk = new Chalk({ level: (options.color ?? stderrColor()) ? (Math.max(chalkStderr.level, 1) as 1 | 2 | 3) : 0 });
  const columns = options.columns ?? (() => process.stderr.columns || 120);
  let running: Running | undefined;
  let lastPlain = 0;
  let statusShown = false;
  let timer: NodeJS.Timeout | undefined;

  const statusText = (r: Running): string => {
    if (r.waitUntilMs !== undefined) {
      return `⏳ ${r.taskName} · ${r.step} · usage limit: re-running in ${formatDuration(r.waitUntilMs - now())} (at ${new Date(r.waitUntilMs).toISOString()})`;
    }
    return `… ${r.taskName} · ${r.step} · attempt ${r.attempt} · ${r.model} · ${formatDuration(now() - r.startedMs)} · ${brief(r.usage)} (estimate)`;
  };
  const clearStatus = (): void => {
    if (tty && statusShown) write(CLEAR_LINE);
    statusShown = false;
  };
  const drawStatus = (): void => {
    if (!running) return;
    if (tty) {
      const width = columns();
      // one column spare: the cursor never wraps
      write(`${CLEAR_LINE}${truncate(statusText(running), width - 1, { markInside: true })}`);
      statusShown = true;
    } else if (now() - lastPlain >= plainEveryMs) {
      lastPlain = now();
      write(`  ${statusText(running)}\n`);
    }
  };
  const line = (text: string): void => {
    clearStatus();
    write(`${text}\n`);
    drawStatus();
  };
  // On a TTY the status line is redrawn every tick; elsewhere a tick prints a line only when
  // plainEveryMs has passed, so a step that streams nothing for minutes still shows it is alive.
  const ensureTimer = (): void => {
    if (timer) return;
    timer = setInterval(drawStatus, options.redrawEveryMs ?? 1000);
    timer.unref();
  };

  const report: Reporter = (event: PipelineEvent) => {
    switch (event.type) {
      case 'task-start':
        line(chalk.bold(`▶ ${event.taskName} (${event.taskPath}): ${event.stepCount} step(s)`));
        break;
      case 'task-skip':
        line(chalk.dim(`▷ ${event.taskName}: ${event.reason}`));
        break;
      case 'step-skip':
        line(chalk.dim(`  · ${event.step}: ${event.reason}`));
        break;
      case 'attempt-start':
        running = { taskName: event.taskName, step: event.step, attempt: event.attempt, model: event.model, startedMs: now(), usage: {} };
        lastPlain = now();
        line(`  ${event.step} · attempt ${event.attempt} · ${event.model} · log ${event.logPath}`);
        ensureTimer();
        break;
      case 'attempt-usage':
        if (running) running.usage = event.usage;
        drawStatus();
        break;
      case 'attempt-end': {
        running = undefined;
        const ok = event.outcome === 'passed';
        const mark = ok ? chalk.green('✔') : chalk.red('✖');
        const detail = event.detail && !ok ? ` (${event.detail})` : '';
        line(
          `  ${mark} ${event.step} · attempt ${event.attempt} ${event.outcome}${detail} in ${formatDuration(event.durationMs)} · ${brief(event.usage)} (${event.usageSource})`,
        );
        break;
      }
      case 'usage-limit-wait':
        if (!running || running.waitUntilMs === undefined) {
          running = {
            taskName: event.taskName,
            step: event.step,
            attempt: 0,
            model: '',
            startedMs: now(),
            usage: {},
            waitUntilMs: event.resetsAtMs,
          };
          lastPlain = 0;
          ensureTimer();
        }
        drawStatus();
        break;
      case 'task-end': {
        running = undefined;
        const color = event.phase === 'done' ? chalk.green : chalk.red;
        line(color(`■ ${event.taskName}: ${event.phase}${event.error ? ` (${event.error})` : ''} · ${brief(event.tokenUsage)}`));
        break;
      }
    }
  };
  return {
    report,
    stop: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      running = undefined;
      clearStatus();
    },
  };
}
