import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { asUserError } from '../errors/fs-error.js';

/**
 * Refuses (exit 2, naming the folder and what to do) a folder that cannot be created or written,
 * before any task is marked running. Nothing is created: the nearest part of the path that
 * exists must be a folder we may write in. `what` names the folder for the user.
 */
export async function ensureWritableFolder(folder: string, what: string, hint?: string): Promise<void> {
  try {
    const existing = await nearestExisting(folder);
    if (!(await stat(existing)).isDirectory()) {
      const code = existing === folder ? 'EEXIST' : 'ENOTDIR';
      throw Object.assign(new Error(`${code}: ${existing} is not a folder`), { code, path: existing });
    }
    await access(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw asUserError(error, { what: `cannot write the ${what}`, path: folder, ...(hint !== undefined && { hint }) });
  }
}

/** `folder` or its nearest ancestor that exists (a file below which nothing can exist counts). */
async function nearestExisting(folder: string): Promise<string> {
  let current = path.resolve(folder);
  for (;;) {
    try {
      await stat(current);
      return current;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = path.dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw error;
      current = parent;
    }
  }
}
