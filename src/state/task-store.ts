import { readJsonFile } from './atomic-json.js';
import { updateJsonLocked } from './locked-update.js';
import { checkedTaskState } from './task-files.js';
import { newTaskState, withTotals, type TaskState } from './task-state.js';

/** Reads and writes one task's state file; a state of another task path in it is refused. */
export class TaskStore {
  constructor(
    readonly file: string,
    private readonly taskPath: string,
    private readonly taskName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async read(): Promise<TaskState | undefined> {
    return checkedTaskState(this.file, await readJsonFile<TaskState>(this.file), this.taskPath);
  }

  /** Applies `change` to the current state under the file's lock; totals are recomputed. */
  update(change: (state: TaskState) => TaskState): Promise<TaskState> {
    return updateJsonLocked<TaskState>(this.file, (current) => {
      const stamp = this.now().toISOString();
      const base = checkedTaskState(this.file, current, this.taskPath) ?? newTaskState(this.taskPath, this.taskName, stamp);
      return withTotals({ ...change(base), updatedAt: stamp });
    });
  }
}
