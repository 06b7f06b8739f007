import type { TaskState } from '../../state/task-state.js';
import type { BillingWindow } from '../types.js';

const MINUTE = 60_000;

/** When a task's calls ran: the first attempt's start to the last attempt's end (now, for one still running). */
export function attemptSpan(task: TaskState, now: number): { startMs: number; endMs: number } | undefined {
  const attempts = task.steps.flatMap((step) => step.attempts);
  if (attempts.length === 0) return undefined;
  const starts = attempts.map((a) => Date.parse(a.startedAt));
  const ends = attempts.map((a) => (a.endedAt ? Date.parse(a.endedAt) : now));
  return { startMs: Math.min(...starts), endMs: Math.max(...ends, ...starts) };
}

/** From the start of the minute `startMs` is in to the end of the minute `endMs` is in. */
export function minuteWindow(startMs: number, endMs: number): BillingWindow {
  const start = Math.floor(startMs / MINUTE) * MINUTE;
  const end = Math.floor(endMs / MINUTE) * MINUTE + MINUTE;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

export function taskWindow(task: TaskState, now: number): BillingWindow | undefined {
  const span = attemptSpan(task, now);
  return span && minuteWindow(span.startMs, span.endMs);
}

/** The smallest window holding all of them. */
export function unionWindow(windows: BillingWindow[]): BillingWindow | undefined {
  if (windows.length === 0) return undefined;
  const start = Math.min(...windows.map((w) => Date.parse(w.start)));
  const end = Math.max(...windows.map((w) => Date.parse(w.end)));
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** True when the two windows have a minute in common. */
export function windowsOverlap(a: BillingWindow, b: BillingWindow): boolean {
  return Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
}
