import { spawn } from 'node:child_process';
import { closePipesAfterExit, signalGroup } from '../claude/process-group.js';

export interface CheckOutcome {
  passed: boolean;
  exitCode: number | undefined;
  timedOut: boolean;
  /** The last OUTPUT_TAIL_CHARS characters of its output (all of it went to `onOutput`). */
  outputTail: string;
}

export interface CheckRun {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborting stops the check and everything it started. */
  signal?: AbortSignal;
  /** Aborting SIGKILLs the check and everything it started at once (a second Ctrl-C). */
  stopNow?: AbortSignal;
  timeoutMs?: number;
  /** Output as it comes (stdout and stderr, interleaved). */
  onOutput(text: string): void;
  /** While this says so, reading the check's output pauses until `drained` resolves. */
  mustWait?(): boolean;
  drained?(): Promise<void>;
}

const OUTPUT_TAIL_CHARS = 20_000;
const KILL_GRACE_MS = 5000;

/**
 * Runs a step's check command in a shell in the project folder; exit 0 passes. Its output is
 * handed on as it comes, never gathered whole (a check may print gigabytes). The shell leads a
 * process group of its own, so a timeout or an abort stops whatever it started too (SIGTERM,
 * then SIGKILL), not the shell alone; when the shell exits, what is left of its group is killed.
 */
export function runCheck(run: CheckRun): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', run.command], { cwd: run.cwd, env: run.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const streams = [child.stdout, child.stderr];
    const onData = (text: string): void => {
      run.onOutput(text);
      tail = (tail + text).slice(-OUTPUT_TAIL_CHARS);
      if (run.mustWait?.() && run.drained) {
        for (const stream of streams) stream.pause();
        void run.drained().then(() => {
          for (const stream of streams) stream.resume();
        });
      }
    };
    for (const stream of streams) {
      stream.setEncoding('utf8');
      stream.on('data', onData);
    }
    const signal = (name: NodeJS.Signals): void => {
      if (child.pid !== undefined) signalGroup(child.pid, name);
    };
    const stop = (): void => {
      if (killTimer) return;
      signal('SIGTERM');
      killTimer = setTimeout(() => signal('SIGKILL'), KILL_GRACE_MS);
    };
    const stopNow = (): void => signal('SIGKILL');
    const timer =
      run.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            stop();
          }, run.timeoutMs)
        : undefined;
    if (run.signal?.aborted) stop();
    run.signal?.addEventListener('abort', stop, { once: true });
    if (run.stopNow?.aborted) stopNow();
    run.stopNow?.addEventListener('abort', stopNow, { once: true });
    const finish = (exitCode: number | undefined): void => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      run.signal?.removeEventListener('abort', stop);
      run.stopNow?.removeEventListener('abort', stopNow);
      resolve({ passed: exitCode === 0 && !timedOut, exitCode, timedOut, outputTail: tail });
    };
    child.on('error', (error) => {
      run.onOutput(`${error.message}\n`);
      finish(undefined);
    });
    // As with claude: what the check left running in its group goes when it exits, and its
    // pipes are closed soon after, whoever else holds them.
    child.once('exit', () => signal('SIGKILL'));
    closePipesAfterExit(child);
    child.on('close', (code) => finish(code ?? undefined));
  });
}
