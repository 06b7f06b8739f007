import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors/user-error.js';
import { asUserError } from '../errors/fs-error.js';
import { STARTER_CONFIG, STARTER_TASK, STARTER_TASK_FILE } from '../config/starter.js';
import { CONFIG_FILE_NAME } from '../config/types.js';
import { missingFolders, removeMadeFolders } from '../state/write-output.js';

/** `init [dir]`: a starter config and an example task; refuses (exit 2) if either exists already. */
export async function initCommand(dir: string): Promise<number> {
  const files = [
    { file: path.resolve(dir, CONFIG_FILE_NAME), text: STARTER_CONFIG },
    { file: path.resolve(dir, STARTER_TASK_FILE), text: STARTER_TASK },
  ];
  for (const { file } of files) {
    if (await exists(file))
      throw new UserError(`${file}: already exists; init writes nothing over an existing file. Move it away, or edit it by hand.`);
  }
  // All or nothing: when one cannot be written, what was written before it (and the folders made) goes.
  const made = await missingFolders(files.map(({ file }) => path.dirname(file)));
  const written: string[] = [];
  for (const { file, text } of files) {
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text, { flag: 'wx' });
      written.push(file);
    } catch (error) {
      await Promise.all(written.map((done) => rm(done, { force: true })));
      await removeMadeFolders(made);
      throw asUserError(error, { what: 'cannot write it', path: file });
    }
  }
  for (const file of written) process.stdout.write(`wrote ${file}\n`);
  process.stdout.write(`Next: edit ${CONFIG_FILE_NAME} and ${STARTER_TASK_FILE}, then run: claude-project run ${STARTER_TASK_FILE}\n`);
  return 0;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
