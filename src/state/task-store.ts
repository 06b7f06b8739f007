import { readJsonFile } from './atomic-json.js';
import { updateJsonLocked } from './locked-update.js';
import { newTaskState, withTotals, type TaskState } from './task-state.js';

/** Reads and writes one task's `<slug>.state.json`. */
export class TaskStore {
  constructor(
    readonly file: string,
    private readonly taskPath: string,
    private readonly taskName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  read(): Promise<TaskState | undefined> {
    return readJsonFile<TaskState>(this.file);
  }

  /** Applies `change` to the current state under the file's lock; totals are recomputed. */
  update(change: (state: TaskState) => TaskState): Promise<TaskState> {
    return updateJsonLocked<TaskState>(this.file, (current) => {
      const stamp = this.now().toISOString();
      const base = current ?? newTaskState(this.taskPath, this.taskName, stamp);
      return withTotals({ ...change(base), updatedAt: stamp });
    });
  }
}
