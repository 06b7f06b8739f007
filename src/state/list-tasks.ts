import { readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors/user-error.js';

/**
 * The folder's `*.md` task files in name order, for `sequence`, `status`, `report`, `recount` and
 * `reconcile` alike. A symlink counts as the file it points to; a broken one is an error naming
 * it (a task must never be skipped silently). Folders, even named `*.md`, are not tasks, nor are
 * hidden files (`.draft.md`, macOS's `._<name>.md` metadata).
 */
export async function listTasks(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new UserError(`${dir}: tasks folder not found.`);
  if (!info.isDirectory()) throw new UserError(`${dir}: not a folder; use "claude-project run ${dir}" for a single task.`);
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.name.toLowerCase().endsWith('.md') && !isHidden(entry.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tasks: string[] = [];
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isFile() || (entry.isSymbolicLink() && (await isFileBehindLink(file)))) tasks.push(file);
  }
  return tasks;
}

async function isFileBehindLink(link: string): Promise<boolean> {
  try {
    return (await stat(link)).isFile();
  } catch (error) {
    const target = await readlink(link).catch(() => '?');
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'which does not exist' : `(${(error as Error).message})`;
    throw new UserError(`${link}: broken symlink to ${target}, ${why}. Fix or remove it.`);
  }
}

function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/** A hidden file named explicitly is refused rather than run: a folder would not run it either. */
export function refuseHiddenTask(file: string): void {
  if (isHidden(path.basename(file))) {
    throw new UserError(`${file}: a hidden file (its name starts with ".") is not a task. Rename it if it is one.`);
  }
}
