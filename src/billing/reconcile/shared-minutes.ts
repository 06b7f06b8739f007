import type { BillingWindow } from '../types.js';
import { windowsOverlap } from './window.js';

export interface WindowedTask {
  taskPath: string;
  window: BillingWindow;
}

/** For each task, the other tasks (of all those known) whose windows share a minute with its own. */
export function sharedMinutes(tasks: WindowedTask[], known: WindowedTask[]): Map<string, string[]> {
  return new Map(
    tasks.map((task) => [
      task.taskPath,
      known.filter((other) => other.taskPath !== task.taskPath && windowsOverlap(task.window, other.window)).map((other) => other.taskPath),
    ]),
  );
}

/**
 * The tasks asked for, plus every known task that shares a minute with one of them (and so on):
 * the smallest set whose minutes are its own, which is what can be checked against the bill.
 */
export function closeOverSharedMinutes(asked: WindowedTask[], known: WindowedTask[]): WindowedTask[] {
  const group = new Map(asked.map((task) => [task.taskPath, task]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const task of known) {
      if (group.has(task.taskPath)) continue;
      if ([...group.values()].some((member) => windowsOverlap(member.window, task.window))) {
        group.set(task.taskPath, task);
        grew = true;
      }
    }
  }
  return [...group.values()];
}
