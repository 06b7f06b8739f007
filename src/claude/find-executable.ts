import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The executable's path: as given if it contains a slash, else the first match on PATH. */
export async function findExecutable(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (command.includes('/') || command.includes(path.sep)) {
    const file = path.resolve(cwd, command);
    return (await isExecutableFile(file)) ? file : undefined;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, command);
    if (await isExecutableFile(file)) return file;
  }
  return undefined;
}
