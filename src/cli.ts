#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const HELP = `claude-project: run Claude Code pipelines unattended and account for every token.

Usage:
  claude-project run <task.md>         run the pipeline for one task (resumes where it stopped)
  claude-project sequence <dir>        run every *.md task in the folder, in name order
  claude-project status [task.md|dir]  what ran and what it cost, per step and per model
  claude-project recount [task.md|dir] rebuild usage from the raw logs, report differences
  claude-project report --html FILE [task.md|dir]
                                       the status as one self-contained HTML page with charts

Options:
  --config FILE   the config file (default: ./claude-project.yaml)
  --restart       start over: move the old state and logs aside and run everything again
  --keep-going    sequence: go on with the next task after one fails
  --max-usd N     run: the task's USD cap; sequence: the sequence's (over budget.* in the config)
  --fix           recount: write the numbers rebuilt from the raw logs into the state
  --json          status: the status as JSON (schema/status.schema.json); run, sequence:
                  stdout holds only one JSON summary line, printed at the end
                  (schema/run-summary.schema.json); the human summary goes to stderr
  --html FILE     report: write the HTML report to FILE (no network needed to view it)
  --quiet         run, sequence: no progress on stderr (nor the human summary, with --json)
  -h, --help      this help
  -v, --version   the version

Exit codes: 0 all done and passed · 1 a step failed (recount: the state differs from the
raw logs) · 2 bad input (config, task, flags, state file, a task already running) · 3 stopped
by a usage limit it may not wait for · 4 stopped by a budget cap · 130 interrupted.
Environment: CLAUDE_PROJECT_CLAUDE_BIN overrides claude.command.
`;

const OPTIONS = {
  config: { type: 'string' },
  restart: { type: 'boolean', default: false },
  'keep-going': { type: 'boolean', default: false },
  fix: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  html: { type: 'string' },
  'max-usd': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

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
  if (extra.length > 0) return usage(`unexpected argument ${JSON.stringify(extra[0])}`);
  const known = ['run', 'sequence', 'status', 'report', 'recount'];
  if (values.json && known.includes(command) && !['status', 'run', 'sequence'].includes(command)) {
    return usage(`--json is for status, run and sequence, not ${command}`);
  }
  if (values.html !== undefined && known.includes(command) && command !== 'report') return usage(`--html is for report, not ${command}`);
  if (values['max-usd'] !== undefined && known.includes(command) && !['run', 'sequence'].includes(command)) {
    return usage(`--max-usd is for run and sequence, not ${command}`);
  }
  let maxUsd: number | undefined;
  if (values['max-usd'] !== undefined) {
    const { parseMaxUsd } = await import('./pipeline/budget/caps.js');
    maxUsd = parseMaxUsd(values['max-usd']);
  }
  const common = {
    ...(values.config !== undefined && { config: values.config }),
    ...(maxUsd !== undefined && { maxUsd }),
    quiet: values.quiet,
  };
  switch (command) {
    case 'run': {
      if (!target) return usage('run needs a task file: claude-project run <task.md>');
      const { runCommand } = await import('./commands/run.js');
      return runCommand(target, { ...common, restart: values.restart, json: values.json });
    }
    case 'sequence': {
      if (!target) return usage('sequence needs a folder: claude-project sequence <dir>');
      const { sequenceCommand } = await import('./commands/sequence.js');
      return sequenceCommand(target, { ...common, restart: values.restart, keepGoing: values['keep-going'], json: values.json });
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
