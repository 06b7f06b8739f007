import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const READ_BYTES = 1024 * 1024;
const MAX_IDLE_WAIT_MS = 100;

/**
 * Reads what a writer appends to a file, from `position` on, until `writerEnded` has settled and
 * the end is reached. Chunks are handed out as views of one reused buffer: a consumer must copy
 * what it keeps. `beforeNextRead` lets the consumer hold reading back (backpressure).
 */
export async function tailFile(
  handle: FileHandle,
  position: number,
  writerEnded: Promise<unknown>,
  onChunk: (chunk: Buffer) => void,
  beforeNextRead: () => Promise<void> | void = () => undefined,
): Promise<number> {
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  let writerDone = false;
  const ended = writerEnded.then(
    () => {
      writerDone = true;
    },
    () => {
      writerDone = true;
    },
  );
  let wait = 1;
  for (;;) {
    const doneBeforeRead = writerDone;
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead > 0) {
      position += bytesRead;
      onChunk(buffer.subarray(0, bytesRead));
      wait = 1;
      await beforeNextRead();
      continue;
    }
    if (doneBeforeRead) return position;
    // Waiting for more, but woken at once when the writer ends: its last bytes are in by then.
    const idle = new AbortController();
    await Promise.race([sleep(wait, undefined, { signal: idle.signal }).catch(() => undefined), ended]);
    idle.abort(); // no timer left behind to hold the process open
    wait = Math.min(wait * 2, MAX_IDLE_WAIT_MS);
  }
}
