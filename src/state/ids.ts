/**
 * The ids of a task's files, as types that do not mix: a task path where a state file is expected
 * (or the other way round) no longer compiles. Each is made only where it comes from: a task file
 * (`taskPathOf`) or a state's `taskPath` field (`storedTaskPath`), a state folder's listing
 * (`stateFileName`), and `taskStateFile`.
 */

/** A task file's path relative to the project root (absolute when outside it), as task states store it. */
export type TaskPath = string & { readonly __brand: 'TaskPath' };

/** A task state file's name in its folder: `<task file name>.state.json`. */
export type StateFileName = string & { readonly __brand: 'StateFileName' };

/** The path of a task state file. */
export type StateFilePath = string & { readonly __brand: 'StateFilePath' };

/** The task path a state file records (its `taskPath` field). */
export function storedTaskPath(taskPath: string): TaskPath {
  return taskPath as TaskPath;
}

/** A name found in a state folder's listing. */
export function stateFileName(name: string): StateFileName {
  return name as StateFileName;
}

/** A path built by `taskStateFile`, or a state file's path found by joining a listed name to its folder. */
export function stateFilePath(file: string): StateFilePath {
  return file as StateFilePath;
}
