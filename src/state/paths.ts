import path from 'node:path';
import { stateFilePath, type StateFilePath } from './ids.js';

/** Task file name without `.md`, characters outside [a-zA-Z0-9-] as "-" (the readable part of a task state's name). */
export function taskSlug(taskPath: string): string {
  return path
    .basename(taskPath)
    .replace(/\.md$/i, '')
    .replace(/[^a-zA-Z0-9-]/g, '-');
}

export function taskStateFile(statePath: string, name: string): StateFilePath {
  return stateFilePath(path.join(statePath, `${name}.state.json`));
}

export function sequenceStateFile(statePath: string): string {
  return path.join(statePath, 'sequence.state.json');
}

/** `<logsPath>/<task file name>/<NN>-<step>` without extension; `.log` and `.jsonl` are added to it. */
export function stepLogBase(logsPath: string, taskFileName: string, stepIndex: number, stepName: string): string {
  return path.join(logsPath, taskFileName, `${String(stepIndex + 1).padStart(2, '0')}-${stepName}`);
}
