import { stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StateFilePath } from '../../state/ids.js';
import { taskStateNames } from '../../state/load-states.js';
import { onOwnChange, type OwnChange } from '../../state/own-changes.js';
import { readStateFile } from '../../state/read-state.js';
import { TaskStateSchema } from '../../state/task-state.js';
import { costsOf, type TaskCosts } from './costs.js';
import { isStateFileNameOf } from '../../state/task-files.js';

/** One state folder as last read: its task states' costs by name (in name order), and the folder's own stamp then. */
interface FolderCache {
  names: string[];
  files: Map<string, { stamp: string; costs: TaskCosts }>;
  /** The folder's inode and mtime after the last scan or the last change of this process: a change since is someone else's. */
  folderStamp: string;
  /**
   * False right after a scan whose stamp is too recent to tell a later change in the same clock
   * tick apart; true again after a change of ours (one of another process in that same tick is
   * then taken for ours until the next scan).
   */
  settled: boolean;
  scannedAt: number;
  scanMs: number;
}

/**
 * A folder is scanned again (every entry looked at) at the latest once this many times its last
 * scan's cost has passed, even when nothing shows a change: a change of another process that
 * fell within a few milliseconds of one of ours, and so was taken for ours, is seen by then.
 */
const RESCAN_SPACING = 20;
/** …and not more often than this, however small the folder. */
const RESCAN_MIN_MS = 1_000;
/** File system clocks tick coarsely: a folder time this recent may still be shared by the next change. */
const CLOCK_TICK_MS = 50;

const folders = new Map<string, FolderCache>();
let listening = false;

/**
 * The costs of every task state of the state folder but `ownFile`, in name order. Budgets ask
 * before every attempt, so the folder is looked at whole (an entry listing and a stat of each
 * file) only when someone else changed it since: its own writes this process folds in as it
 * makes them. A file is read again only when it was replaced since (every write renames a new
 * file over it: a new inode), and only its costs are kept. Files that vanish while read (moved
 * aside) are left out; one that does not parse or is not a task state is an error when a cap
 * depends on it (`strict`), else left out.
 */
export async function folderCosts(statePath: string, ownFile: StateFilePath, strict: boolean): Promise<TaskCosts[]> {
  if (!listening) {
    onOwnChange(foldOwnChange);
    listening = true;
  }
  let cache = folders.get(path.resolve(statePath));
  const stamp = await folderStampOf(statePath);
  const current =
    cache?.settled &&
    stamp === cache.folderStamp &&
    performance.now() < cache.scannedAt + Math.max(RESCAN_MIN_MS, RESCAN_SPACING * cache.scanMs);
  if (!current) cache = await scan(statePath, strict, cache);
  // compared by name: joining every name into a path, before every attempt, is what would grow with the folder
  const ownName = path.join(statePath, path.basename(ownFile)) === ownFile ? path.basename(ownFile) : undefined;
  const costs: TaskCosts[] = [];
  for (const name of cache!.names) {
    const entry = cache!.files.get(name);
    if (entry && name !== ownName) costs.push(entry.costs);
  }
  return costs;
}

async function scan(statePath: string, strict: boolean, previous: FolderCache | undefined): Promise<FolderCache> {
  const started = performance.now();
  const stamp = await folderStampOf(statePath);
  const files = new Map<string, { stamp: string; costs: TaskCosts }>();
  const names = await taskStateNames(statePath);
  for (const name of names) {
    const file = path.join(statePath, name);
    const info = await stat(file).catch(() => undefined);
    if (!info) continue;
    const fileStamp = stampOf(info);
    let entry = previous?.files.get(name);
    if (entry?.stamp !== fileStamp) {
      const state = await readStateFile(file, TaskStateSchema).catch((error: unknown) => {
        if (strict) throw error;
        return undefined;
      });
      // a copy of a task's state under another name (a backup) is not spent again
      if (!state || (typeof state.taskPath === 'string' && !isStateFileNameOf(name, state.taskPath))) continue;
      entry = { stamp: fileStamp, costs: costsOf(state) };
    }
    files.set(name, entry);
  }
  const now = performance.now();
  const settled = Date.now() - (Number(stamp.split(':')[1]) || 0) > CLOCK_TICK_MS;
  const cache: FolderCache = { names, files, folderStamp: stamp, settled, scannedAt: now, scanMs: now - started };
  folders.set(path.resolve(statePath), cache);
  return cache;
}

/** This process changed the folder: the cache takes in what it wrote, and the folder's new stamp as its own. */
async function foldOwnChange(change: OwnChange): Promise<void> {
  const cache = folders.get(path.resolve(change.folder));
  if (!cache) return;
  if (change.written) {
    const name = path.basename(change.written.file);
    const info = await stat(change.written.file).catch(() => undefined);
    if (info) {
      if (!cache.files.has(name)) insertSorted(cache.names, name);
      cache.files.set(name, { stamp: stampOf(info), costs: costsOf(change.written.state) });
    }
  }
  cache.folderStamp = await folderStampOf(change.folder);
  cache.settled = true;
}

function insertSorted(names: string[], name: string): void {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (names[middle]! < name) low = middle + 1;
    else high = middle;
  }
  if (names[low] !== name) names.splice(low, 0, name);
}

const stampOf = (info: { ino: number; size: number; mtimeMs: number }): string => `${info.ino}:${info.mtimeMs}:${info.size}`;

/** A folder's stamp: its time to the millisecond (finer than its clock ticks: nothing is lost) and its inode. */
async function folderStampOf(folder: string): Promise<string> {
  const info = await stat(folder).catch(() => undefined);
  return info ? `${info.ino}:${Math.trunc(info.mtimeMs)}` : '';
}
