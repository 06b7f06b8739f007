import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
 * mtime fresh while we live; a lock whose owner is gone (a dead pid on this host, or no refresh
 * for `stale` ms) is taken over.
 */
export async function acquireRunLock(stateFile: string, what: string): Promise<() => Promise<void>> {
  await mkdir(path.dirname(stateFile), { recursive: true });
  const lockDir = `${stateFile}.run.lock`;
  // Beside the lock, not in it: proper-lockfile removes its lock folder with rmdir.
  const ownerFile = `${stateFile}.run.owner.json`;
  const lock = (): Promise<() => Promise<void>> =>
    // Locked under its own key: proper-lockfile tracks its locks by file name, and the state
    // file itself is locked (briefly) for every update.
    lockfile.lock(`${stateFile}.run`, {
      realpath: false,
      lockfilePath: lockDir,
      stale: 15_000,
      update: 5_000,
      onCompromised: () => undefined,
    });
  let release: () => Promise<void>;
  try {
    release = await lock();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = await readOwner(ownerFile);
    if (owner && isDeadHere(owner)) {
      await rm(lockDir, { recursive: true, force: true });
      release = await lock().catch(() => {
        throw refused(what, owner);
      });
    } else {
      throw refused(what, owner);
    }
  }
  const owner: Owner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  await writeFile(ownerFile, JSON.stringify(owner)).catch(() => undefined);
  return async () => {
    await rm(ownerFile, { force: true });
    await release().catch(() => undefined);
  };
}

function refused(what: string, owner: Owner | undefined): UserError {
  const who = owner ? `process ${owner.pid} on ${owner.host} (started ${owner.startedAt}: ${owner.command})` : 'another process';
  return new UserError(`${what} is already being run by ${who}. Wait for it to finish, or stop it first.`);
}

function isDeadHere(owner: Owner): boolean {
  if (owner.host !== os.hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function readOwner(ownerFile: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(ownerFile, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}
