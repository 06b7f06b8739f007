import { UserError } from './user-error.js';

/** What a filesystem error code means, in words, and what the user can do about it. */
const MEANINGS: Record<string, { problem: string; fix: string }> = {
  EACCES: {
    problem: 'permission denied',
    fix: 'give your user permission to it (to read it, and to write it where claude-project writes), or choose another path',
  },
  EPERM: {
    problem: 'operation not permitted',
    fix: 'give your user permission to it (to read it, and to write it where claude-project writes), or choose another path',
  },
  ENOENT: {
    problem: 'no such file or folder (or a symbolic link on the way points nowhere)',
    fix: 'create it, fix the link, or choose another path',
  },
  EROFS: { problem: 'read-only file system', fix: 'choose a path on a writable file system' },
  ENOTDIR: { problem: 'a part of this path is a file, not a folder', fix: 'move that file away, or choose another path' },
  EISDIR: { problem: 'is a folder, not a file', fix: 'give the path of a file' },
  EEXIST: { problem: 'already exists and is not a folder', fix: 'move it away, or choose another path' },
  ENOSPC: { problem: 'no space left on the device', fix: 'free some space, or choose another path' },
  EDQUOT: { problem: 'disk quota exceeded', fix: 'free some space, or choose another path' },
  EFBIG: { problem: 'file too large', fix: 'free some space, or choose another path' },
  EMFILE: { problem: 'too many open files', fix: 'raise the open-file limit (ulimit -n)' },
  ENFILE: { problem: 'too many open files in the system', fix: 'close other programs, or raise the limit' },
  ENAMETOOLONG: { problem: 'path too long', fix: 'choose a shorter path' },
  ELOOP: { problem: 'too many symbolic links', fix: 'fix the symbolic link loop' },
  EIO: { problem: 'input/output error', fix: 'check the disk' },
  EPIPE: { problem: 'the reader closed the pipe', fix: 'keep the reading end open until the command ends' },
};

/** What a system call was doing, in words. */
const SYSCALL_WORDS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  rename: 'replace',
  copyfile: 'copy',
  unlink: 'remove',
  rmdir: 'remove',
  scandir: 'list',
  stat: 'look at',
  lstat: 'look at',
  access: 'use',
  realpath: 'resolve',
};

export interface FsError extends Error {
  code: string;
  syscall?: string;
  path?: string;
}

/** An error from the file system that we know how to explain. */
export function isFsError(error: unknown): error is FsError {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code in MEANINGS;
}

/**
 * A one-line explanation of a filesystem error: `<path>: <what went wrong> (<CODE>). <what to do>.`
 * `what` says what we were doing (`cannot create the logs folder`); `path` overrides the error's.
 */
export function describeFsError(error: FsError, options: { what?: string; path?: string; hint?: string } = {}): string {
  const meaning = MEANINGS[error.code]!;
  const where = options.path ?? error.path;
  const doing = error.syscall === undefined ? 'use' : (SYSCALL_WORDS[error.syscall] ?? 'use');
  const what = options.what ?? (where === undefined ? `cannot ${doing} a file` : `cannot ${doing} it`);
  const hint = options.hint ? ` (${options.hint})` : '';
  return `${where === undefined ? '' : `${where}: `}${what}: ${meaning.problem} (${error.code}). To go on: ${meaning.fix}${hint}.`;
}

/** The filesystem error as a UserError (exit 2); any other error unchanged. */
export function asUserError(error: unknown, options: { what?: string; path?: string; hint?: string } = {}): unknown {
  return isFsError(error) ? new UserError(describeFsError(error, options)) : error;
}
