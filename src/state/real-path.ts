import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * The absolute path with every symlink on it resolved, so that a folder reached through a link
 * is the same folder; a tail that does not exist (yet) is kept as written.
 */
export function realPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPath(parent), path.basename(absolute));
  }
}

/**
 * A task file as tasks are named: its folder's real path and its own name. The file itself is not
 * resolved: a symlinked task is known by the link, not by its target.
 */
export function realTaskFile(file: string): string {
  const absolute = path.resolve(file);
  return path.join(realPath(path.dirname(absolute)), path.basename(absolute));
}
