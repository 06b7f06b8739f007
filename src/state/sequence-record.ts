import { stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeJsonAtomic } from './atomic-json.js';
import { withFileLock } from './locked-update.js';
import { noteOwnChange } from './own-changes.js';
import { readStateFile } from './read-state.js';
import { sequenceEntry, SequenceStateSchema, withSequenceTotals, type SequenceState, type SequenceTaskEntry } from './sequence-state.js';
import type { TaskState } from './task-state.js';
import type { StateFilePath } from './ids.js';

/** What the sequence writes besides its per-task entries and the lists and totals made from them. */
export type SequenceRecordHead = Omit<SequenceState, 'tasks' | 'completedTasks' | 'failedTasks'>;

/**
 * A write of the sequence state costs time in proportion to its tasks; it is done again only
 * once this many times its last cost has passed, so writing takes at most about 1/20 of a run
 * however long the sequence. With real claude calls (seconds each) that is after every task.
 */
const SPACING = 20;

/**
 * The sequence state as the one process holding the sequence's run lock keeps it: in memory,
 * each task's entry recorded in constant time, the file rewritten whole (totals rolled up from
 * the entries) no more often than `SPACING` allows, and at once when `save(true)` says so. A
 * write put off is made by a timer once its time has come, so the file is never further behind
 * than that. A kill in between leaves the file a little behind the task states, which are the
 * truth: the next run records every task again before it writes.
 */
export class SequenceRecord {
  private head: SequenceRecordHead;
  private readonly entries = new Map<string, SequenceTaskEntry>();
  private readonly completed = new Set<string>();
  private readonly failed = new Set<string>();
  /** The file as this process last wrote it (inode, size, mtime), and when and how long that took. */
  private written: { stamp: string; at: number; tookMs: number } | undefined;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    state: SequenceState,
    private readonly stamp: () => string,
  ) {
    const { tasks, completedTasks, failedTasks, ...head } = state;
    this.head = head;
    for (const entry of tasks) this.entries.set(entry.taskPath, entry);
    for (const p of completedTasks) this.completed.add(p);
    for (const p of failedTasks) this.failed.add(p);
  }

  /** Changes the head (phase, current task, budget…). */
  set(change: (head: SequenceRecordHead) => SequenceRecordHead): void {
    this.head = change(this.head);
    this.dirty = true;
  }

  /** Records a task's latest state, replacing its entry (in its place) and moving it to the end of its list. */
  recordTask(stateFile: StateFilePath, task: TaskState): void {
    this.recordEntry(sequenceEntry(stateFile, task));
  }

  recordEntry(entry: SequenceTaskEntry): void {
    this.entries.set(entry.taskPath, entry);
    this.completed.delete(entry.taskPath);
    this.failed.delete(entry.taskPath);
    if (entry.phase === 'done') this.completed.add(entry.taskPath);
    if (entry.phase === 'failed') this.failed.add(entry.taskPath);
    this.dirty = true;
  }

  /** The whole state, its totals rolled up from the entries. */
  get state(): SequenceState {
    return withSequenceTotals({
      ...this.head,
      completedTasks: [...this.completed],
      failedTasks: [...this.failed],
      tasks: [...this.entries.values()],
    });
  }

  /** Writes the state now (`force`), or once the spacing since the last write allows. */
  save(force = false): Promise<void> {
    if (!this.dirty && !force) return this.writing;
    this.dirty = true;
    const due = this.written ? this.written.at + SPACING * this.written.tookMs : 0;
    if (force || performance.now() >= due) return this.flush();
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), due - performance.now()).unref();
    return this.writing;
  }

  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.catch(() => undefined).then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const started = performance.now();
    this.head = { ...this.head, updatedAt: this.stamp() };
    await this.writeLocked(started).catch((error: unknown) => {
      this.dirty = true;
      throw error;
    });
    await noteOwnChange({ folder: path.dirname(this.file) });
  }

  private writeLocked(started: number): Promise<void> {
    return withFileLock(this.file, async () => {
      // Another command (reconcile, recount --fix) may have written the file since: its billing record is kept.
      if (this.written && (await stampOf(this.file)) !== this.written.stamp) {
        const theirs = await readStateFile(this.file, SequenceStateSchema).catch(() => undefined);
        if (theirs?.billing) this.head = { ...this.head, billing: theirs.billing };
      }
      await writeJsonAtomic(this.file, this.state);
      const stamp = await stampOf(this.file);
      this.written = { stamp, at: performance.now(), tookMs: performance.now() - started };
    });
  }
}

async function stampOf(file: string): Promise<string> {
  const info = await stat(file).catch(() => undefined);
  return info ? `${info.ino}:${info.size}:${info.mtimeMs}` : '';
}
