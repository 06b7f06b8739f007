import { createHash } from 'node:crypto';
import path from 'node:path';
import { redactSecrets } from '../errors/redact.js';
import { UserError } from '../errors/user-error.js';
import { readStateFile } from './read-state.js';
import { realTaskFile } from './real-path.js';
import type { StateFilePath, TaskPath } from './ids.js';
import { taskSlug, taskStateFile } from './paths.js';
import { TaskStateSchema, type TaskState } from './task-state.js';

/** Where a task's state and logs live. Every command finds them through `taskFiles`. */
export interface TaskFiles {
  /** The task file relative to the project root (absolute when outside it), as states store it. */
  taskPath: TaskPath;
  /** `<readable slug>-<8 hex of sha256(taskPath)>`: the state file's and the logs folder's name. */
  name: string;
  stateFile: StateFilePath;
  logsDir: string;
  /** Where an earlier version kept this task's state (`<slug>.state.json`), if it could have. */
  legacy: { name: string; stateFile: StateFilePath; logsDir: string } | undefined;
}

interface FileRoots {
  rootDir: string;
  statePath: string;
  logsPath: string;
}

/** The name `sequence.state.json` takes; no task's state is ever named like it. */
const SEQUENCE_NAME = 'sequence';

/**
 * The task file's path as its state records it: relative to the project root (a real path), from
 * the real path of the task's folder, so a task reached through a symlinked folder is one task.
 */
export function taskPathOf(rootDir: string, taskFile: string): TaskPath {
  const absolute = realTaskFile(taskFile);
  return (path.relative(rootDir, absolute) || absolute) as TaskPath;
}

/** What a file name may take in bytes (most file systems: 255). */
const MAX_NAME_BYTES = 255;

/**
 * The longest name derived from a state file's `<name>`: the state moved aside on `--restart`
 * (`.state.json.restarted-<time>`). Run locks, owner files, temp files and `.corrupt-<time>` are
 * shorter.
 */
const LONGEST_SUFFIX = '.state.json.restarted-2026-01-01T00-00-00-000Z'.length;

/** `-` and the 8 hex digits of the hash. */
const HASH_PART = 9;

/** The readable slug's longest length, so that every derived name fits in MAX_NAME_BYTES. */
export const MAX_SLUG_LENGTH = MAX_NAME_BYTES - LONGEST_SUFFIX - HASH_PART;

/**
 * Letters, digits and "-" of the file name, runs of "-" as one, cut to MAX_SLUG_LENGTH: only for
 * people to read (the hash keeps names unique).
 */
export function readableSlug(taskPath: string): string {
  const slug = taskSlug(taskPath).replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, MAX_SLUG_LENGTH).replace(/-$/, '');
  return slug || 'task';
}

function canonical(taskPath: string): string {
  return taskPath.split(path.sep).join('/').normalize('NFC');
}

/** Unique per task path (the hash) and stable across runs and machines ("/" separators, NFC). */
export function taskFileName(taskPath: string): string {
  const hash = createHash('sha256').update(canonical(taskPath)).digest('hex').slice(0, 8);
  return `${readableSlug(taskPath)}-${hash}`;
}

/**
 * Whether a state folder's file `name` is where task `taskPath`'s state lives (its own name, or an
 * earlier version's): a copy under another name (a backup) is not that task's state.
 */
export function isStateFileNameOf(name: string, taskPath: string): boolean {
  return name === `${taskFileName(taskPath)}.state.json` || name === `${taskSlug(taskPath)}.state.json`;
}

export function sameTaskPath(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

export function taskFiles(roots: FileRoots, taskFile: string): TaskFiles {
  const taskPath = taskPathOf(roots.rootDir, taskFile);
  // Cut short in the state that must name it, the task would not match its own state any more.
  if (redactSecrets(taskPath) !== taskPath)
    throw new UserError(
      `${taskPath}: the task's path looks like an API key (sk-ant-…) or holds a key's value, which is cut short in every file written, so its state could not name it. Rename it.`,
    );
  const name = taskFileName(taskPath);
  const legacyName = taskSlug(taskPath);
  // An earlier version could not have written a state whose derived names do not fit.
  const legacyFits = legacyName.length + LONGEST_SUFFIX <= MAX_NAME_BYTES;
  return {
    taskPath,
    name,
    stateFile: taskStateFile(roots.statePath, name),
    logsDir: path.join(roots.logsPath, name),
    legacy:
      legacyName === SEQUENCE_NAME || !legacyFits
        ? undefined
        : { name: legacyName, stateFile: taskStateFile(roots.statePath, legacyName), logsDir: path.join(roots.logsPath, legacyName) },
  };
}

/** Two tasks on one state file: refused, so neither takes the other's numbers or "done". */
export class TaskCollisionError extends UserError {
  constructor(file: string, storedTaskPath: string, taskPath: string) {
    super(
      `${file} holds the state of task ${storedTaskPath}, not of ${taskPath}: two tasks would share one state file. ` +
        `Nothing has been changed. Move ${file} aside if it is not ${storedTaskPath}'s any more.`,
    );
    this.name = 'TaskCollisionError';
  }
}

/** The task's state as read from `file`; one that belongs to another task path is refused. */
export function checkedTaskState(file: string, state: TaskState | undefined, taskPath: string): TaskState | undefined {
  if (state && typeof state.taskPath === 'string' && !sameTaskPath(state.taskPath, taskPath)) {
    throw new TaskCollisionError(file, state.taskPath, taskPath);
  }
  return state;
}

/**
 * The state file that holds the task's state now: its own, else an earlier version's
 * `<slug>.state.json` whose `taskPath` is this task's. Undefined: the task has not run.
 */
export async function findTaskStateFile(files: TaskFiles): Promise<{ file: StateFilePath; name: string; state: TaskState } | undefined> {
  const own = checkedTaskState(files.stateFile, await readStateFile(files.stateFile, TaskStateSchema), files.taskPath);
  if (own) return { file: files.stateFile, name: files.name, state: own };
  if (!files.legacy) return undefined;
  const legacy = await readLegacyState(files);
  if (!legacy || !files.legacy) return undefined;
  return { file: files.legacy.stateFile, name: files.legacy.name, state: legacy };
}

/**
 * An earlier version's `<slug>.state.json` when its `taskPath` is this task's; another task's is
 * not this task's. One that does not parse may be this task's, so it is an error, as for any
 * state file (`--restart` moves it aside).
 */
export async function readLegacyState(files: TaskFiles): Promise<TaskState | undefined> {
  if (!files.legacy) return undefined;
  const state = await readStateFile(files.legacy.stateFile, TaskStateSchema);
  return state && typeof state.taskPath === 'string' && sameTaskPath(state.taskPath, files.taskPath) ? state : undefined;
}
