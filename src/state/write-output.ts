import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeTextAtomic } from './atomic-json.js';

/**
 * Writes a command's output file (a report) whole or not at all: through a temp file and a
 * rename, and when it fails, the folders made for it are removed again.
 */
export async function writeOutputFile(file: string, text: string): Promise<void> {
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

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );
