import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { asUserError } from '../errors/fs-error.js';
import { redactSecrets } from '../errors/redact.js';
import { UserError } from '../errors/user-error.js';

/**
 * Writes JSON so that a reader (or a kill at any moment) sees either the old file or the new
 * one, never half of one: a temp file in the same folder, flushed to disk, then renamed over.
 * Secrets in it are cut short (`redactSecrets`), as in everything claude-project writes.
 */
export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeTextAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** `writeJsonAtomic` for a text given in pieces (a file too big to hold whole), with the same guarantee. */
export function writeTextAtomic(file: string, text: string | AsyncIterable<string>): Promise<void> {
  return replaceAtomically(file, async (temp) => {
    const handle = await open(temp, 'w');
    try {
      if (typeof text === 'string') await handle.writeFile(redactSecrets(text));
      else await writeBuffered(handle, text);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/**
 * Gives `file` new content that `fill` writes into a temp file beside it, then renames over it:
 * a reader, or a kill at any moment, sees the old file or the new one, never part of one, and
 * no temp file is left behind.
 */
export async function replaceAtomically(file: string, fill: (temp: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fill(temp);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

const WRITE_BYTES = 1 << 16;

/** Pieces joined into writes of about 64 KiB: one write per piece would be a system call for every task entry. */
async function writeBuffered(handle: FileHandle, pieces: AsyncIterable<string>): Promise<void> {
  let pending = '';
  for await (const piece of pieces) {
    pending += redactSecrets(piece);
    if (pending.length < WRITE_BYTES) continue;
    await handle.writeFile(pending);
    pending = '';
  }
  if (pending) await handle.writeFile(pending);
}

/** The parsed file, or undefined when it does not exist. A file that does not parse is an error. */
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // readFile's EISDIR names no path: the message must
    throw asUserError(error, { what: 'cannot read the state file', path: file });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CorruptStateError(file, (error as Error).message);
  }
}

/** A JSON parser's complaint on one line, without the streaming parser's own name for itself. */
function inWords(reason: string): string {
  return reason
    .replace(/\s+/g, ' ')
    .replace(/^Parser (?:cannot parse input: )?/, '')
    .replace(/^has expected/, 'expected');
}

export class CorruptStateError extends UserError {
  /** `reason`: the parser's message, or (with `parsed`) what is wrong with the JSON's shape. */
  constructor(
    readonly file: string,
    reason: string,
    parsed = false,
  ) {
    super(
      `${file}: ${parsed ? `not a valid state file (${reason})` : `state file cannot be parsed (${inWords(reason)})`}. It has not been changed. ` +
        'Repair it, or run again with --restart to move it aside and start over.',
    );
    this.name = 'CorruptStateError';
  }
}
