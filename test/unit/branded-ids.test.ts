import path from 'node:path';
import { stateFileName, storedTaskPath, type StateFilePath, type TaskPath } from '../../src/state/ids.js';
import { taskStateFile } from '../../src/state/paths.js';
import { taskLogsDir } from '../../src/state/state-folder.js';
import { TaskStore } from '../../src/state/task-store.js';

// The `@ts-expect-error` lines are the test: were a task path, a state file name and a state
// file's path plain strings again, they would compile, and tsc (and ts-jest) would fail here.
describe('task paths, state file names and state file paths do not mix', () => {
  const taskPath: TaskPath = storedTaskPath('tasks/a.md');
  const stateFile: StateFilePath = taskStateFile('/state', 'a-12345678');

  it('a state file path is the folder joined with the name and .state.json, a plain string underneath', () => {
    expect(stateFile).toBe(path.join('/state', 'a-12345678.state.json'));
    expect(taskLogsDir('/logs', stateFileName('a-12345678.state.json'))).toBe(path.join('/logs', 'a-12345678'));
  });

  it('refuses a task path where a state file goes, and the other way round', () => {
    // @ts-expect-error a task path is not a state file
    const swapped = () => new TaskStore(taskPath, stateFile, 'a');
    // @ts-expect-error a plain string is not a task path
    const plain = () => new TaskStore(stateFile, 'tasks/a.md', 'a');
    // @ts-expect-error a state file's path is not a name in its folder's listing
    const logs = () => taskLogsDir('/logs', stateFile);
    void [swapped, plain, logs];
  });
});
