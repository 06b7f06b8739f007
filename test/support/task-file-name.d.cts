/** A task's state file and logs folder name, from its path relative to the project (task-file-name.cjs). */
export function taskFileName(taskPath: string): string;
