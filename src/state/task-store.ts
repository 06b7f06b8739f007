import path from 'node:path';
import { updateJsonLocked } from './locked-update.js';
import { noteOwnChange } from './own-changes.js';
import { readStateFile } from './read-state.js';
import type { StateFilePath, TaskPath } from './ids.js';
import { checkedTaskState } from './task-files.js';
import { newTaskState, TaskStateSchema, withTotals, type TaskState } from './task-state.js';

/** Reads and writes one task's state file; a state of another task path in it is refused. */
export class TaskStore {
  constructor(
    readonly file: StateFilePath,
    private readonly taskPath: TaskPath,
    private readonly taskName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async read(): Promise<TaskState | undefined> {
    return checkedTaskState(this.file, await readStateFile(this.file, TaskStateSchema), this.taskPath);
  }

  /** Applies `change` to the current state under the file's lock; totals are recomputed. */
  async update(change: (state: TaskState) => TaskState): Promise<TaskState> {
    const state = await updateJsonLocked(this.file, TaskStateSchema, (current) => {
      const stamp = this.now().toISOString();
      const base = checkedTaskState(this.file, current, this.taskPath) ?? newTaskState(this.taskPath, this.taskName, stamp);
      return withTotals({ ...change(base), updatedAt: stamp });
    });
    await noteOwnChange({ folder: path.dirname(this.file), written: { file: this.file, state } });
    return state;
  }
}
