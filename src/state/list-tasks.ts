import { readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors/user-error.js';

/**
 * The folder's `*.md` task files in name order, for `sequence`, `status`, `report` and
 * `recount` alike. A symlink counts as the file it points to; a broken one is an error naming
 * it (a task must never be skipped silently). Folders, even named `*.md`, are not tasks.
 */
export async function listTasks(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new UserError(`${dir}: tasks folder not found.`);
  if (!info.isDirectory()) throw new UserError(`${dir}: not a folder; use "claude-project run ${dir}" for a single task.`);
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.name.toLowerCase().endsWith('.md'))
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
