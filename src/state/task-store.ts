import { updateJsonLocked } from './locked-update.js';
import { readStateFile } from './read-state.js';
import { newTaskState, TaskStateSchema, withTotals, type TaskState } from './task-state.js';

/** Reads and writes one task's `<slug>.state.json`. */
export class TaskStore {
  constructor(
    readonly file: string,
    private readonly taskPath: string,
    private readonly taskName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  read(): Promise<TaskState | undefined> {
    return readStateFile(this.file, TaskStateSchema);
  }

  /** Applies `change` to the current state under the file's lock; totals are recomputed. */
  update(change: (state: TaskState) => TaskState): Promise<TaskState> {
    return updateJsonLocked(this.file, TaskStateSchema, (current) => {
      const stamp = this.now().toISOString();
      const base = current ?? newTaskState(this.taskPath, this.taskName, stamp);
      return withTotals({ ...change(base), updatedAt: stamp });
    });
  }
}
