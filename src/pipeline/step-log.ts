import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';

/**
 * A step's two logs, both appended to across attempts and runs: `.jsonl`, the raw stream (the
 * journal, with one marker line before and after each attempt), and `.log`, the readable one.
 */
export class StepLog {
  private constructor(
    readonly raw: WriteStream,
    readonly readable: WriteStream,
    readonly rawPath: string,
    readonly readablePath: string,
  ) {}

  static async open(base: string): Promise<StepLog> {
    await mkdir(path.dirname(base), { recursive: true });
    const rawPath = `${base}.jsonl`;
    const readablePath = `${base}.log`;
    return new StepLog(
      createWriteStream(rawPath, { flags: 'a' }),
      createWriteStream(readablePath, { flags: 'a' }),
      rawPath,
      readablePath,
    );
  }

  /**
   * A line of our own in the journal; Claude Code never prints type "claude_project". It starts
   * with a newline in case the stream before it ended without one (blank lines are skipped).
   */
  marker(event: string, fields: Record<string, unknown>): void {
    this.raw.write(`\n${JSON.stringify({ type: JOURNAL_MARKER_TYPE, event, ...fields })}\n`);
  }

  write(text: string): void {
    this.readable.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  async close(): Promise<void> {
    this.raw.end();
    this.readable.end();
    await Promise.all([finished(this.raw), finished(this.readable)]);
  }
}

export const JOURNAL_MARKER_TYPE = 'claude_project';
