#!/usr/bin/env node
import './zod-jitless.js';
import { CommanderError } from 'commander';
import { redactWritesTo } from './errors/redact.js';
import { describeOutputError, reportFailure } from './errors/top-level.js';
import { EXIT } from './errors/user-error.js';
import { buildProgram } from './program.js';

/** Commander's own ends: help or version asked for (0); help because nothing was asked, or bad flags (2). */
function exitCodeOf(error: CommanderError): number {
  return error.exitCode === 0 ? 0 : 2;
}

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return exitCodeOf(error);
    throw error;
  }
  return exitCode;
}

// Everything printed, progress, summaries, --json and errors alike, has its secrets cut short.
redactWritesTo(process.stdout);
redactWritesTo(process.stderr);

process.stdout.on('error', (error) => {
  process.stderr.write(`claude-project: ${describeOutputError(error)}\n`);
  process.exit(2);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Interrupted: whatever was abandoned (a metrics export under way) does not hold the exit;
    // the output gets a moment to drain first.
    if (code === EXIT.interrupted) setTimeout(() => process.exit(code), 1000).unref();
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error, process.env, (text) => process.stderr.write(text));
  },
);
