import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import lockfile from 'proper-lockfile';
import { UserError } from '../errors.js';

interface Owner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/**
 * Holds "this task is being run" for as long as a run lasts. proper-lockfile keeps the lock's
 * mtime fresh while we live; a lock left by a dead process goes stale and is taken over.
 */
export async function acquireRunLock(stateFile: string, what: string): Promise<() => Promise<void>> {
  const lockDir = `${stateFile}.run.lock`;
  // Beside the lock, not in it: proper-lockfile removes its lock folder with rmdir.
  const ownerFile = `${stateFile}.run.owner.json`;
  await mkdir(path.dirname(stateFile), { recursive: true });
  let release: () => Promise<void>;
  try {
    // Locked under its own key: proper-lockfile tracks its locks by file name, and the state
    // file itself is locked (briefly) for every update.
    release = await lockfile.lock(`${stateFile}.run`, {
      realpath: false,
      lockfilePath: lockDir,
      stale: 15_000,
      update: 5_000,
      onCompromised: () => undefined,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = await readOwner(ownerFile);
    const who = owner ? `process ${owner.pid} on ${owner.host} (started ${owner.startedAt}: ${owner.command})` : 'another process';
    throw new UserError(`${what} is already being run by ${who}. Wait for it to finish, or stop it first.`);
  }
  const owner: Owner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  await writeFile(ownerFile, JSON.stringify(owner)).catch(() => undefined);
  return async () => {
    await rm(ownerFile, { force: true });
    await release().catch(() => undefined);
  };
}

async function readOwner(ownerFile: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(ownerFile, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}
