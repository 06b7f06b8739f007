#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { COMMANDS, OPTIONS } from './cli-options.js';

const HELP = `claude-project: run Claude Code pipelines unattended and account for every token.

Usage:
  claude-project run <task.md>         run the pipeline for one task (resumes where it stopped)
  claude-project sequence <dir>        run every *.md task in the folder, in name order
  claude-project sequence <dir> --shard I/N
                                       run only shard I of N: tasks I, I+N, I+2N… in name order
  claude-project merge <stateDir>... --into <stateDir>
                                       gather the shards' state folders (and their logs, in
                                       the sibling logs/ folders) into one
  claude-project status [task.md|dir]  what ran and what it cost, per step and per model
  claude-project recount [task.md|dir] rebuild usage from the raw logs, report differences
  claude-project report --html FILE [task.md|dir]
                                       the status as one self-contained HTML page with charts

Options:
  --config FILE   the config file (default: ./claude-project.yaml)
  --restart       start over: move the old state and logs aside and run everything again
  --keep-going    sequence: go on with the next task after one fails
  --fix           recount: write the numbers rebuilt from the raw logs into the state
  --json          status: the status as JSON (schema/status.schema.json); run, sequence:
                  stdout holds only one JSON summary line, printed at the end
                  (schema/run-summary.schema.json); the human summary goes to stderr
  --html FILE     report: write the HTML report to FILE (no network needed to view it)
  --quiet         run, sequence: no progress on stderr (nor the human summary, with --json)
  --shard I/N     sequence: run only the tasks of shard I (1-based) of N
  --into DIR      merge: the state folder to merge into (its logs go to DIR/../logs)
  -h, --help      this help
  -v, --version   the version

Exit codes: 0 all done and passed · 1 a step failed (recount: the state differs from the
raw logs) · 2 bad input (config, task, flags, state file, a task already running) · 3 stopped
by a usage limit it may not wait for · 130 interrupted.
Environment: CLAUDE_PROJECT_CLAUDE_BIN overrides claude.command.
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`claude-project: ${(error as Error).message}\nRun "claude-project --help" for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const [command, target, ...extra] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return values.help || command === 'help' ? 0 : 2;
  }
  const usage = (message: string): number => {
    process.stderr.write(`claude-project: ${message}\nRun "claude-project --help" for usage.\n`);
    return 2;
  };
  if (extra.length > 0 && command !== 'merge') return usage(`unexpected argument ${JSON.stringify(extra[0])}`);
  const known: readonly string[] = COMMANDS;
  if (values.json && known.includes(command) && !['status', 'run', 'sequence'].includes(command)) {
    return usage(`--json is for status, run and sequence, not ${command}`);
  }
  if (values.html !== undefined && known.includes(command) && command !== 'report') return usage(`--html is for report, not ${command}`);
  if (values.shard !== undefined && known.includes(command) && command !== 'sequence') return usage(`--shard is for sequence, not ${command}`);
  if (values.into !== undefined && known.includes(command) && command !== 'merge') return usage(`--into is for merge, not ${command}`);
  const common = { ...(values.config !== undefined && { config: values.config }), quiet: values.quiet };
  switch (command) {
    case 'run': {
      if (!target) return usage('run needs a task file: claude-project run <task.md>');
      const { runCommand } = await import('./commands/run.js');
      return runCommand(target, { ...common, restart: values.restart, json: values.json });
    }
    case 'sequence': {
      if (!target) return usage('sequence needs a folder: claude-project sequence <dir>');
      const { parseShard } = await import('./pipeline/shard.js');
      const shard = values.shard === undefined ? null : parseShard(values.shard);
      const { sequenceCommand } = await import('./commands/sequence.js');
      return sequenceCommand(target, { ...common, restart: values.restart, keepGoing: values['keep-going'], json: values.json, shard });
    }
    case 'status': {
      const { statusCommand } = await import('./commands/status.js');
      return statusCommand(target, { ...common, json: values.json });
    }
    case 'report': {
      if (values.html === undefined) return usage('report needs an output file: claude-project report --html FILE [task.md|dir]');
      const { reportCommand } = await import('./commands/report.js');
      return reportCommand(target, { ...common, html: values.html });
    }
    case 'recount': {
      const { recountCommand } = await import('./commands/recount.js');
      return recountCommand(target, { ...common, fix: values.fix });
    }
    case 'merge': {
      if (!target) return usage('merge needs at least one state folder: claude-project merge <stateDir>... --into <stateDir>');
      if (values.into === undefined) return usage('merge needs the folder to merge into: claude-project merge <stateDir>... --into <stateDir>');
      const { mergeCommand } = await import('./commands/merge.js');
      return mergeCommand([target, ...extra], { into: values.into });
    }
    default:
      return usage(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    const { UserError } = await import('./errors.js');
    if (error instanceof UserError) {
      process.stderr.write(`claude-project: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`claude-project: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
