import { lstat, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors/user-error.js';
import { writeTextAtomic } from './atomic-json.js';
import { realPath } from './real-path.js';

/** The project's own files, which no output may replace: its config, state and logs folders. */
export interface ProjectFiles {
  file: string;
  statePath: string;
  logsPath: string;
}

/**
 * Writes a command's output file (a report) whole or not at all: through a temp file and a
 * rename, and when it fails, the folders made for it are removed again. It is refused (exit 2,
 * nothing written) over the project's own files, and over anything but a regular file (a device
 * would be replaced by one).
 */
export async function writeOutputFile(file: string, text: string, project: ProjectFiles): Promise<void> {
  const target = realPath(file);
  const inside = (folder: string): boolean => {
    const relative = path.relative(realPath(folder), target);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  if (target === realPath(project.file) || inside(project.statePath) || inside(project.logsPath)) {
    throw new UserError(
      `${file}: is the project's config, or inside its state or logs folder; write the output elsewhere. Nothing has been changed.`,
    );
  }
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isFile() && !existing.isDirectory()) {
    throw new UserError(
      `${file}: is not a regular file (a device, a pipe or a socket); write the output to a file. Nothing has been changed.`,
    );
  }
  const created = await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeTextAtomic(file, text);
  } catch (error) {
    if (created !== undefined) await rm(created, { recursive: true, force: true });
    throw error;
  }
}

/** Removes the folders `missingFolders` found missing before a command that failed made them. */
export async function removeMadeFolders(made: string[]): Promise<void> {
  await Promise.all(made.map((folder) => rm(folder, { recursive: true, force: true })));
}

/** For each folder that does not exist, its highest ancestor that does not exist either: what writing into it would make. */
export async function missingFolders(folders: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const folder of folders) {
    let current = path.resolve(folder);
    if (await exists(current)) continue;
    while (!(await exists(path.dirname(current))) && path.dirname(current) !== current) current = path.dirname(current);
    out.add(current);
  }
  return [...out];
}

// lstat: a symbolic link that points nowhere is there too (removing it would lose the user's link)
const exists = (file: string): Promise<boolean> =>
  lstat(file).then(
    () => true,
    () => false,
  );
