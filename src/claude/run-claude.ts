import { open, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { execa, type ResultPromise } from 'execa';
import { redactSecrets } from '../errors/redact.js';
import { crashPointForTests } from '../errors/test-crash.js';
import { streamLineSplitter } from './stream-lines.js';
import type { StreamEvent } from './stream-events.js';
import { tailFile } from './tail-file.js';
import { closePipesAfterExit, stopGroupOn } from './process-group.js';
import { keepYoungGenerationSmall } from './young-generation.js';

export interface ClaudeCall {
  command: string;
  /** Everything after the executable: `-p --output-format stream-json ...`. */
  args: string[];
  prompt: string;
  cwd: string;
  /** The whole environment claude runs with. */
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /**
   * Once a result has arrived, how long claude may stay without printing a line before it is
   * stopped as lingering (a call of Claude Code that never exits after its result); none: no bound.
   */
  exitAfterResultMs?: number;
  /** Aborting stops the call, claude's whole process group (SIGTERM, then SIGKILL after `killGraceMs`). */
  signal?: AbortSignal;
  /** Aborting SIGKILLs claude's whole process group at once (a second Ctrl-C). */
  stopNow?: AbortSignal;
  killGraceMs?: number;
  /** claude's stdout is appended straight to this file (the raw log), and read back from it. */
  rawLogPath: string;
  /** Reading pauses while any of these is over its high-water mark. */
  backpressureFrom?: Writable[];
  onSpawn?(pid: number): void;
  onEvent(event: StreamEvent): void;
  onMalformedLine?(reason: string, preview: string): void;
}

/**
 * Why claude's process ended, one value (as execa's terminationReason): on its own (`exit`, its
 * exit code or signal says how), stopped by its timeout, stopped through the call's signal
 * (`stopped`: an interrupt, or a budget watch), or never started (`spawn-error`, e.g. ENOENT).
 */
export type ProcessEnd =
  | { by: 'exit' }
  | { by: 'timeout' }
  | { by: 'stopped' }
  /** It gave its result, then stayed `exitAfterResultMs` without a line and without exiting: stopped. */
  | { by: 'lingered' }
  | { by: 'spawn-error'; message: string };

export interface ClaudeCallEnd {
  exitCode: number | undefined;
  signal: string | undefined;
  ended: ProcessEnd;
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
 * The argument list every call gets (README: "Pointing it at your own claude"). With a session id, the call's transcript can be found even if
 * claude-project dies before the stream's `init` line reaches it. With partial messages, a
 * message's input-side counts are in the raw log as soon as its response begins: a message
 * claude is stopped in the middle of (billed, but never printed whole nor in the transcript)
 * is still counted.
 */
export function claudeArgs(model: string, extraArgs: string[], sessionId?: string): string[] {
  const session = sessionId ? ['--session-id', sessionId] : [];
  const partial = extraArgs.includes(PARTIAL_MESSAGES) ? [] : [PARTIAL_MESSAGES];
  return ['-p', '--output-format', 'stream-json', '--verbose', '--model', model, ...session, ...partial, ...extraArgs];
}

const PARTIAL_MESSAGES = '--include-partial-messages';

/**
 * Runs one `claude` call: the prompt on stdin, stdout appended by claude itself to the raw log
 * file, which is read back as it grows and handled line by line (nothing holds the whole
 * output). Claude's output never passes through a pipe we must copy from, and if this process
 * dies, claude's stream still lands whole in the raw log.
 */
export async function runClaude(call: ClaudeCall): Promise<ClaudeCallEnd> {
  keepYoungGenerationSmall();
  const output = await open(call.rawLogPath, 'a');
  const input = await open(call.rawLogPath, 'r');
  try {
    const start = (await input.stat()).size;
    const killGraceMs = call.killGraceMs ?? 5000;
    const subprocess = execa(call.command, call.args, {
      cwd: call.cwd,
      // the whole environment claude gets: nothing of this process's is added (the admin key is not in it)
      env: call.env,
      extendEnv: false,
      input: call.prompt,
      buffer: false,
      reject: false,
      // A file descriptor goes to spawn() as is: claude writes to the file, not to us.
      stdout: output.fd as unknown as 'inherit',
      stderr: 'pipe',
      timeout: call.timeoutMs,
      killSignal: 'SIGTERM',
      forceKillAfterDelay: killGraceMs,
      // claude leads a process group of its own, so stopping it stops whatever it started too
      detached: true,
    });
    const stop = new AbortController();
    const forward = (): void => stop.abort();
    if (call.signal?.aborted) forward();
    else call.signal?.addEventListener('abort', forward, { once: true });
    const group = stopGroupOn(subprocess, { stop: stop.signal, stopNow: call.stopNow, graceMs: killGraceMs });
    closePipesAfterExit(subprocess);
    try {
      if (subprocess.pid !== undefined) call.onSpawn?.(subprocess.pid);
      crashPointForTests('spawn');
      return await followCall(call, subprocess, input, start, { stopped: group.stopped, stopLingering: forward });
    } catch (error) {
      // Whatever went wrong on our side, claude is not left running: SIGTERM, then SIGKILL.
      subprocess.kill();
      await subprocess;
      throw error;
    } finally {
      call.signal?.removeEventListener('abort', forward);
    }
  } finally {
    await Promise.all([output.close(), input.close()]);
  }
}

/** Streams a running call's raw log into `onEvent` until claude ends, then tells how it ended. */
async function followCall(
  call: ClaudeCall,
  subprocess: ResultPromise,
  input: FileHandle,
  start: number,
  group: { stopped: () => boolean; stopLingering: () => void },
): Promise<ClaudeCallEnd> {
  let stderrTail = '';
  subprocess.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2 * STDERR_TAIL_BYTES);
  });

  // After a result, every line printed gives claude exitAfterResultMs more to exit.
  let resultSeen = false;
  let lingered = false;
  let lingerTimer: NodeJS.Timeout | undefined;
  const watchLingering = (): void => {
    if (!resultSeen || call.exitAfterResultMs === undefined) return;
    clearTimeout(lingerTimer);
    lingerTimer = setTimeout(() => {
      lingered = true;
      group.stopLingering();
    }, call.exitAfterResultMs);
  };

  let malformedLines = 0;
  const splitter = streamLineSplitter((parsed) => {
    if (parsed.ok && parsed.event.type === 'result') resultSeen = true;
    watchLingering();
    if (parsed.ok) {
      call.onEvent(parsed.event);
    } else {
      malformedLines++;
      call.onMalformedLine?.(parsed.reason, parsed.preview);
    }
  });
  const sinks = call.backpressureFrom ?? [];
  await tailFile(
    input,
    start,
    subprocess,
    (chunk) => splitter.push(chunk),
    async () => {
      for (const sink of sinks) if (sink.writableNeedDrain) await once(sink, 'drain');
    },
  );
  splitter.end();
  clearTimeout(lingerTimer);

  const result = await subprocess;
  const ended: ProcessEnd = result.timedOut
    ? { by: 'timeout' }
    : lingered
      ? { by: 'lingered' }
      : group.stopped()
        ? { by: 'stopped' }
        : result.exitCode === undefined && !result.signal
          ? { by: 'spawn-error', message: result.shortMessage ?? result.message ?? 'claude could not be started' }
          : { by: 'exit' };
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    ended,
    malformedLines,
    // cut after redacting: a cut made first could keep all of a secret but its first characters
    stderrTail: redactSecrets(stderrTail).slice(-STDERR_TAIL_BYTES),
  };
}
