import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { redactSecrets } from '../errors/redact.js';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { UserError } from '../errors/user-error.js';
import { noteOwnChange } from './own-changes.js';

interface Owner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
  /** Written once the lock is held; before that the file says "trying to take it". */
  acquired?: boolean;
}

/**
 * Holds "this task is being run" for as long as a run lasts. proper-lockfile keeps the lock's
 * mtime fresh while we live; a lock whose owner is gone (a dead pid on this host, or no refresh
 * for `stale` ms) is taken over.
 *
 * Every process that tries to take the lock first writes its own owner file
 * (`<state>.run.owner.<pid>.json`, beside the lock: proper-lockfile removes its lock folder with
 * rmdir), and removes it only after it gave up or released the lock. Taking the lock happens
 * inside a short gate (`<state>.run.gate.lock`) held by one process at a time, and the owner
 * file says `acquired` as soon as its process is inside the gate. So inside the gate, the holder
 * of the run lock is among the live owners marked `acquired`: when there is none, the holder is
 * dead and the lock is taken over at once; when there is one, it is named. Two processes taking
 * over the same dead lock at once pass the gate one after the other: the first takes it, the
 * second finds it held and names the first.
 */
export async function acquireRunLock(stateFile: string, what: string): Promise<() => Promise<void>> {
  await mkdir(path.dirname(stateFile), { recursive: true });
  const lockDir = `${stateFile}.run.lock`;
  const mine = ownerFile(stateFile, process.pid);
  const me: Owner = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    command: redactSecrets(process.argv.slice(1).join(' ')),
  };
  // This process's owner file is shared by all its attempts, so a second one must not touch it.
  if (heldHere.has(stateFile)) throw refused(what, [{ ...me, acquired: true }]);
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
  const take = async (): Promise<() => Promise<void>> => {
    try {
      return await lock();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
    const holders = (await readOwners(stateFile)).filter((o) => o.acquired && !isDeadHere(o));
    if (holders.length > 0) throw refused(what, holders);
    // Whoever holds it is dead: take it over.
    await rm(lockDir, { recursive: true, force: true });
    return lock().catch(async (error: NodeJS.ErrnoException) => {
      // taken in between by a process that does not pass the gate (another host on a shared folder)
      if (error.code !== 'ELOCKED') throw error;
      throw refused(
        what,
        (await readOwners(stateFile)).filter((o) => !isDeadHere(o)),
      );
    });
  };

  await writeFile(mine, JSON.stringify(me));
  // Owner files of dead processes can only be there if a lock folder was left: without one the
  // folder (thousands of task states, maybe) is not listed to look for them.
  const leftBehind = await stat(lockDir).then(
    () => true,
    () => false,
  );
  let release: () => Promise<void>;
  try {
    release = await throughGate(stateFile, what, async () => {
      // Marked before the lock is taken: a process stopped in here for longer than the gate lasts
      // (SIGSTOP, a stalled machine) is then a live holder to whoever takes the stale gate, never
      // a dead one whose lock may be taken over. It is unmarked (removed) if it cannot take it.
      await writeFile(mine, JSON.stringify({ ...me, acquired: true }));
      return take();
    });
  } catch (error) {
    await rm(mine, { force: true });
    throw error;
  }
  heldHere.add(stateFile);
  if (leftBehind) await removeDeadOwners(stateFile);
  await noteOwnChange({ folder: path.dirname(stateFile) });
  return async () => {
    await release().catch(() => undefined);
    await rm(mine, { force: true });
    heldHere.delete(stateFile);
    await noteOwnChange({ folder: path.dirname(stateFile) });
  };
}

const heldHere = new Set<string>();

/**
 * Runs `critical` while holding the state file's gate. The gate is held for a few file
 * operations, so waiting for it is short; a gate left by a process killed inside it goes stale
 * after a few seconds, and the wait outlasts that.
 */
async function throughGate<T>(stateFile: string, what: string, critical: () => Promise<T>): Promise<T> {
  const open = await lockfile
    .lock(`${stateFile}.run.gate`, {
      realpath: false,
      lockfilePath: `${stateFile}.run.gate.lock`,
      stale: GATE_STALE_MS,
      retries: { retries: Math.ceil((3 * GATE_STALE_MS) / GATE_RETRY_MS), factor: 1, minTimeout: GATE_RETRY_MS, maxTimeout: GATE_RETRY_MS },
      onCompromised: () => undefined,
    })
    .catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ELOCKED')
        throw new UserError(`${what} is being started by another process that does not finish starting it. Try again.`);
      throw error;
    });
  try {
    return await critical();
  } finally {
    await open().catch(() => undefined);
  }
}

const GATE_STALE_MS = 5_000;
const GATE_RETRY_MS = 50;

const OWNER_INFIX = '.run.owner.';

function ownerFile(stateFile: string, pid: number): string {
  return `${stateFile}${OWNER_INFIX}${pid}.json`;
}

function refused(what: string, live: Owner[]): UserError {
  const holder = live.find((o) => o.acquired) ?? live[0];
  const who = holder ? `process ${holder.pid} on ${holder.host} (started ${holder.startedAt}: ${holder.command})` : 'another process';
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

/** The owner files of other processes for this state file; the pid comes from the file name. */
async function readOwners(stateFile: string): Promise<Owner[]> {
  const dir = path.dirname(stateFile);
  const prefix = `${path.basename(stateFile)}${OWNER_INFIX}`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const owners: Owner[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.json')) continue;
    const pid = Number(name.slice(prefix.length, -'.json'.length));
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let owner: Partial<Owner> = {};
    try {
      owner = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as Owner;
    } catch {
      // gone since, or half written by a process killed while writing it
    }
    owners.push({ host: os.hostname(), startedAt: '?', command: '?', ...owner, pid });
  }
  return owners;
}

async function removeDeadOwners(stateFile: string): Promise<void> {
  for (const owner of await readOwners(stateFile)) {
    if (isDeadHere(owner)) await rm(ownerFile(stateFile, owner.pid), { force: true });
  }
}
