import { appendFileSync, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';

export const JOURNAL_MARKER_TYPE = 'claude_project';
const LOG_BUFFER_BYTES = 1024 * 1024;

/**
 * A step's two logs, both appended to across attempts and runs: `.jsonl`, the raw stream (the
 * journal: claude writes its stdout straight into it, and we add one marker line before and
 * after each attempt), and `.log`, the readable one.
 */
export class StepLog {
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
   * A line of our own in the journal (Claude Code never prints type "claude_project"), written
   * only while no claude is writing. It starts with a newline in case the stream before it ended
   * without one (blank lines are skipped).
   */
  marker(event: string, fields: Record<string, unknown>): void {
    appendFileSync(this.rawPath, `\n${JSON.stringify({ type: JOURNAL_MARKER_TYPE, event, ...fields })}\n`);
  }

  write(text: string): void {
    this.readable.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  async close(): Promise<void> {
    this.readable.end();
    await finished(this.readable);
  }
}
