import { rename } from 'node:fs/promises';

/** Renames `file` to `<file>.<label>-<timestamp>` if it exists; returns the new name. */
export async function moveAside(file: string, label: string, now: number): Promise<string | undefined> {
  const target = `${file}.${label}-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  try {
    await rename(file, target);
    return target;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
