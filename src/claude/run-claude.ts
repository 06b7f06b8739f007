import type { Writable } from 'node:stream';
import { execa } from 'execa';
import { LineSplitter } from './line-splitter.js';
import { parseStreamLine } from './parse-line.js';
import type { StreamEvent } from './stream-events.js';

export interface ClaudeCall {
  command: string;
  /** Everything after the executable: `-p --output-format stream-json ...`. */
  args: string[];
  prompt: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Aborting stops the call (SIGTERM, then SIGKILL after `killGraceMs`). */
  signal?: AbortSignal;
  killGraceMs?: number;
  /** Every stdout byte, as it came. */
  rawLog: Writable;
  /** Stdout is paused while any of these is over its high-water mark. */
  backpressureFrom?: Writable[];
  onEvent(event: StreamEvent): void;
  onMalformedLine?(reason: string, preview: string): void;
}

export interface ClaudeCallEnd {
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  interrupted: boolean;
  /** The executable could not be started at all (e.g. ENOENT). */
  spawnError?: string;
  malformedLines: number;
  stderrTail: string;
}

const STDERR_TAIL_BYTES = 8 * 1024;

const SESSION_CHOOSING_ARGS = new Set(['--session-id', '--resume', '-r', '--continue', '-c', '--fork-session']);

/** Whether the configured args already decide the session (then we must not pass our own id). */
export function argsChooseSession(extraArgs: string[]): boolean {
  return extraArgs.some((arg) => SESSION_CHOOSING_ARGS.has(arg.split('=')[0] ?? arg));
}

/**
 * The argument list of DESIGN §3. With a session id, the call's transcript can be found even if
 * claude-project dies before the stream's `init` line reaches it.
 */
export function claudeArgs(model: string, extraArgs: string[], sessionId?: string): string[] {
  const session = sessionId ? ['--session-id', sessionId] : [];
  return ['-p', '--output-format', 'stream-json', '--verbose', '--model', model, ...session, ...extraArgs];
}

/**
 * Runs one `claude` call: the prompt on stdin, stdout copied to the raw log and handled line by
 * line as it arrives (nothing holds the whole output), stderr's tail kept for the log.
 */
export async function runClaude(call: ClaudeCall): Promise<ClaudeCallEnd> {
  const subprocess = execa(call.command, call.args, {
    cwd: call.cwd,
    env: call.env,
    input: call.prompt,
    buffer: false,
    reject: false,
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: call.timeoutMs,
    cancelSignal: call.signal,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: call.killGraceMs ?? 5000,
  });

  let malformedLines = 0;
  const splitter = new LineSplitter((line) => {
    const parsed = parseStreamLine(line);
    if (parsed.ok) {
      call.onEvent(parsed.event);
    } else {
      malformedLines++;
      call.onMalformedLine?.(parsed.reason, parsed.preview);
    }
  });

  const sinks = [call.rawLog, ...(call.backpressureFrom ?? [])];
  const stdout = subprocess.stdout;
  stdout?.on('data', (chunk: Buffer) => {
    call.rawLog.write(chunk);
    splitter.push(chunk);
    const congested = sinks.filter((sink) => sink.writableNeedDrain);
    if (congested.length > 0) {
      stdout.pause();
      void Promise.all(congested.map((sink) => new Promise((resolve) => sink.once('drain', resolve)))).then(() =>
        stdout.resume(),
      );
    }
  });

  let stderrTail = '';
  subprocess.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });

  const result = await subprocess;
  splitter.end();
  const spawnError = result.exitCode === undefined && !result.signal && !result.timedOut && !result.isCanceled
    ? result.shortMessage ?? result.message
    : undefined;
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    interrupted: result.isCanceled,
    ...(spawnError !== undefined && { spawnError }),
    malformedLines,
    stderrTail,
  };
}
