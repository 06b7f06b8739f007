import { readlinkSync } from 'node:fs';
import { redactSecrets } from './redact.js';
import { EXIT, UserError } from './user-error.js';
import { describeFsError, isFsError } from './fs-error.js';

/**
 * The one place an error that reached the top is turned into a message and an exit code: a
 * UserError is its message and code; a filesystem error names the path and what to do (exit 2);
 * anything else is one line, with the stack only when DEBUG is set.
 */
export function reportFailure(error: unknown, env: NodeJS.ProcessEnv, writeRaw: (text: string) => void): number {
  const write = (text: string): void => writeRaw(redactSecrets(text, env));
  if (error instanceof UserError) {
    write(`claude-project: ${error.message}\n`);
    return error.exitCode;
  }
  if (isFsError(error)) {
    write(`claude-project: ${describeFsError(error)}\n`);
    return EXIT.badInput;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (env.DEBUG) {
    write(`claude-project: unexpected error: ${message}\n${error instanceof Error ? error.stack : ''}\n`);
  } else {
    write(`claude-project: unexpected error: ${message} (the stack trace is printed on stderr when DEBUG=1 is set)\n`);
  }
  return EXIT.failed;
}

/** What to tell the user when standard output cannot be written (a full disk, a closed pipe). */
export function describeOutputError(error: unknown): string {
  const target = outputTarget();
  if (isFsError(error)) return describeFsError(error, { what: 'cannot write the output', path: target });
  return `${target}: cannot write the output: ${error instanceof Error ? error.message : String(error)}`;
}

function outputTarget(): string {
  try {
    return `standard output (${readlinkSync('/proc/self/fd/1')})`;
  } catch {
    return 'standard output';
  }
}
