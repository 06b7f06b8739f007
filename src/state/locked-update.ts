import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type { z } from 'zod';
import { writeJsonAtomic } from './atomic-json.js';
import { readStateFile } from './read-state.js';

const LOCK_OPTIONS = {
  realpath: false,
  stale: 10_000,
  retries: { retries: 200, factor: 1.2, minTimeout: 10, maxTimeout: 200, randomize: true },
} as const;

/**
 * Read-modify-write of a state file (checked against its declaration) under a proper-lockfile lock, so that concurrent processes
 * each see the other's update; the write itself is atomic.
 */
export function updateJsonLocked<T>(file: string, schema: z.ZodType<T>, update: (current: T | undefined) => T): Promise<T> {
  return withFileLock(file, async () => {
    const next = update(await readStateFile(file, schema));
    await writeJsonAtomic(file, next);
    return next;
  });
}

/** Runs `work` holding the same lock as `updateJsonLocked` on `file`. */
export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true });
  const release = await lockfile.lock(file, { ...LOCK_OPTIONS, onCompromised: () => undefined });
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
