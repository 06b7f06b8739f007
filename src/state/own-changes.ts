import type { TaskState } from './task-state.js';

/** A change this process made to a state folder: a task state written (the file and what it holds now), or another entry. */
export interface OwnChange {
  folder: string;
  written?: { file: string; state: TaskState };
}

type Listener = (change: OwnChange) => Promise<void>;

const listeners = new Set<Listener>();

/**
 * Who wants to know of this process's own changes to a state folder: a cache of the folder
 * (the budgets' costs) keeps itself up to date from them instead of reading the folder again.
 * Without a listener nothing is kept.
 */
export function onOwnChange(listener: Listener): void {
  listeners.add(listener);
}

/** Called once a change of this process to a state folder is complete (its lock released). */
export async function noteOwnChange(change: OwnChange): Promise<void> {
  for (const listener of listeners) await listener(change);
}
