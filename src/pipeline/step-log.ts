import { appendFileSync, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { redactSecrets, SecretRedactor } from '../errors/redact.js';
import { RAW_LOG_MARKER_TYPE, type RawLogMarkerFields } from './raw-log-marker.js';

const LOG_BUFFER_BYTES = 1024 * 1024;
/** Readable-log text is gathered into writes of about this size (or one per event-loop turn). */
const BATCH_CHARS = 64 * 1024;

/** Appends one of our marker lines to a raw `.jsonl` log (see `StepLog.marker`). */
export function appendMarker(rawPath: string, marker: RawLogMarkerFields): void {
  appendFileSync(rawPath, redactSecrets(`\n${JSON.stringify({ type: RAW_LOG_MARKER_TYPE, ...marker })}\n`));
}

/**
 * A step's two logs, both appended to across attempts and runs: `.jsonl`, the raw stream (the
 * raw log: claude writes its stdout straight into it, and we add one marker line before and
 * after each attempt), and `.log`, the readable one.
 */
export class StepLog {
  private batch: string[] = [];
  private batchChars = 0;
  private flushScheduled = false;
  private readonly redactor = new SecretRedactor();

  private constructor(
    readonly readable: WriteStream,
    readonly rawPath: string,
    readonly readablePath: string,
  ) {}

  static async open(base: string): Promise<StepLog> {
    await mkdir(path.dirname(base), { recursive: true });
    const readablePath = `${base}.log`;
    return new StepLog(createWriteStream(readablePath, { flags: 'a', highWaterMark: LOG_BUFFER_BYTES }), `${base}.jsonl`, readablePath);
  }

  /**
   * A line of our own in the raw log (Claude Code never prints type "claude_project"), written
   * only while no claude is writing. It starts with a newline in case the stream before it ended
   * without one (blank lines are skipped).
   */
  marker(marker: RawLogMarkerFields): void {
    appendMarker(this.rawPath, marker);
  }

  /**
   * Adds lines to the readable log. A stream event makes a few short lines; writing each on its
   * own costs a system call's share apiece, so they are joined and written once per event-loop
   * turn (at most one turn late, so `tail -f` stays live).
   */
  write(text: string): void {
    this.append(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Adds text as it is, line end or not (output that arrives in pieces). */
  append(line: string): void {
    this.batch.push(line);
    this.batchChars += line.length;
    if (this.batchChars >= BATCH_CHARS) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.batch.length === 0) return;
    // secrets are cut short here: claude's stream, its stderr and the check's output all pass, in pieces
    this.readable.write(this.redactor.push(this.batch.length === 1 ? this.batch[0]! : this.batch.join('')));
    this.batch = [];
    this.batchChars = 0;
  }

  async close(): Promise<void> {
    this.flush();
    this.readable.end(this.redactor.end());
    await finished(this.readable);
  }
}
