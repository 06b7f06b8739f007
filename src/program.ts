/**
 * The command line: every command and its flags, declared once. `cli.ts` runs it; tests read it
 * to check the command lines of the examples.
 */
import { Argument, Command, Option } from 'commander';
import { givenOnce, pathValue, positiveNumber, shardValue } from './commands/flag-values.js';
import { packageVersion } from './package-version.js';

const AFTER_HELP = `
Exit codes: 0 all done and passed · 1 a step failed (recount: the state differs from the
raw logs) · 2 bad input (config, task, flags, state file, a task already running, a folder
that cannot be written, a budget cap over a model no price source knows) · 3 stopped by a usage limit it may not wait for · 4 stopped by a budget cap · 130 interrupted.
reconcile: 0 verified or skipped · 1 mismatch · 2 bad settings or the admin key refused ·
75 pending, or the Admin API unreachable.
Environment: CLAUDE_PROJECT_CLAUDE_BIN overrides claude.command; ANTHROPIC_ADMIN_KEY,
CLAUDE_PROJECT_ADMIN_API_URL and CLAUDE_PROJECT_API_KEY_ID are for reconcile; DEBUG=1 prints
the stack trace of an unexpected error; CLAUDE_PROJECT_COMPILE_CACHE is the code cache's
folder (default ~/.cache/claude-project/compile-cache), or off.
`;

interface CommonFlags {
  config?: string;
}
interface RunFlags extends CommonFlags {
  restart?: boolean;
  maxUsd?: number;
  json?: boolean;
  quiet?: boolean;
}

/** `[target]` of the commands that read states: a task file or a folder, never an empty path. */
const targetArgument = (): Argument =>
  new Argument('[target]', 'a task file or a folder of tasks (default: every task state in statePath)').argParser(
    pathValue('the task file or folder'),
  );

/** Each value of a list of paths, none empty. */
const pathList =
  (what: string) =>
  (value: string, previous: string[] = []): string[] => [...previous, pathValue(what)(value)];

const configOption = (): Option =>
  new Option('--config <file>', 'the config file (default: ./claude-project.yaml)').argParser(givenOnce('--config', pathValue('--config')));
const quietOption = (): Option => new Option('--quiet', 'no progress on stderr (nor the human summary, with --json)');
const restartOption = (): Option => new Option('--restart', 'start over: move the old state and logs aside and run everything again');
const maxUsdOption = (scope: string): Option =>
  new Option('--max-usd <usd>', `the ${scope}'s USD cap (over budget.* in the config)`).argParser(
    givenOnce('--max-usd', positiveNumber('--max-usd', 'US dollars')),
  );
const runJsonOption = (): Option =>
  new Option(
    '--json',
    'stdout holds only one JSON summary line, printed at the end (schema/run-summary.schema.json); the human summary goes to stderr',
  );
const common = (flags: CommonFlags): { config?: string } => (flags.config !== undefined ? { config: flags.config } : {});
const maxUsd = (flags: RunFlags): { maxUsd?: number } => (flags.maxUsd !== undefined ? { maxUsd: flags.maxUsd } : {});

/**
 * A flag value's own message (see flag-values.ts) already names the flag and quotes the value:
 * commander's "option '--x <v>' argument 'v' is invalid." before it would say it twice.
 */
function withoutCommanderPrefix(text: string): string {
  return text
    .replace(/^error: /, '')
    .replace(/^option '(--[\w-]+)[^']*' argument '[\s\S]*' is invalid\. (?=\1 ")/, '')
    .replace(/^command-argument value '[\s\S]*' is invalid for argument '[\w-]+'\. /, '');
}

/** Every command and its flags; each command's code is loaded only when it runs. */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('claude-project')
    .description('Run Claude Code pipelines unattended and account for every token.')
    .version(packageVersion(), '-v, --version', 'the version')
    .helpOption('-h, --help', 'this help')
    .helpCommand('help [command]', 'the help of a command')
    .addHelpText('after', AFTER_HELP)
    .showHelpAfterError('Run "claude-project --help" (or "claude-project <command> --help") for usage.')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`claude-project: ${withoutCommanderPrefix(text)}`) });

  program
    .command('run')
    .description('run the pipeline for one task (resumes where it stopped)')
    .addArgument(new Argument('<task>', 'the task file (task.md)').argParser(pathValue('the task file')))
    .addOption(configOption())
    .addOption(restartOption())
    .addOption(maxUsdOption('task'))
    .addOption(runJsonOption())
    .addOption(quietOption())
    .action(async (task: string, flags: RunFlags) => {
      const { runCommand } = await import('./commands/run.js');
      setExitCode(
        await runCommand(task, {
          ...common(flags),
          ...maxUsd(flags),
          quiet: flags.quiet === true,
          restart: flags.restart === true,
          json: flags.json === true,
        }),
      );
    });

  program
    .command('sequence')
    .description('run every *.md task in the folder, in name order')
    .addArgument(new Argument('<dir>', 'the folder of task files').argParser(pathValue('the tasks folder')))
    .addOption(configOption())
    .addOption(restartOption())
    .option('--keep-going', 'go on with the next task after one fails')
    .addOption(
      new Option('--shard <i/n>', 'run only shard i (1-based) of n: tasks i, i+n, i+2n… in name order').argParser(
        givenOnce('--shard', shardValue),
      ),
    )
    .addOption(maxUsdOption('sequence'))
    .addOption(runJsonOption())
    .addOption(quietOption())
    .action(async (dir: string, flags: RunFlags & { keepGoing?: boolean; shard?: ReturnType<typeof shardValue> }) => {
      const { sequenceCommand } = await import('./commands/sequence.js');
      setExitCode(
        await sequenceCommand(dir, {
          ...common(flags),
          ...maxUsd(flags),
          quiet: flags.quiet === true,
          restart: flags.restart === true,
          keepGoing: flags.keepGoing === true,
          ...(flags.shard !== undefined && { shard: flags.shard }),
          json: flags.json === true,
        }),
      );
    });

  program
    .command('status')
    .description('what ran and what it cost, per step and per model')
    .addArgument(targetArgument())
    .addOption(configOption())
    .option('--json', 'the status as JSON (schema/status.schema.json)')
    .action(async (target: string | undefined, flags: CommonFlags & { json?: boolean }) => {
      const { statusCommand } = await import('./commands/status.js');
      setExitCode(await statusCommand(target, { ...common(flags), json: flags.json === true }));
    });

  program
    .command('prices')
    .description('the rates per million tokens of each model, and where they come from')
    .argument('[models...]', 'the models to look up (default: every model the config and the price database know)')
    .addOption(configOption())
    .option('--json', 'the prices as JSON (schema/prices.schema.json)')
    .action(async (models: string[], flags: CommonFlags & { json?: boolean }) => {
      const { pricesCommand } = await import('./commands/prices.js');
      setExitCode(await pricesCommand(models, { ...common(flags), json: flags.json === true }));
    });

  program
    .command('recount')
    .description('rebuild usage from the raw logs, report differences (exit 1 when there are some)')
    .addArgument(targetArgument())
    .addOption(configOption())
    .option('--fix', 'write the numbers rebuilt from the raw logs into the state')
    .action(async (target: string | undefined, flags: CommonFlags & { fix?: boolean }) => {
      const { recountCommand } = await import('./commands/recount.js');
      setExitCode(await recountCommand(target, { ...common(flags), fix: flags.fix === true }));
    });

  program
    .command('report')
    .description('the status as one self-contained HTML page with charts')
    .addArgument(targetArgument())
    .addOption(configOption())
    .addOption(
      new Option('--html <file>', 'write the HTML report to FILE (no network needed to view it)')
        .argParser(givenOnce('--html', pathValue('--html')))
        .makeOptionMandatory(),
    )
    .action(async (target: string | undefined, flags: CommonFlags & { html: string }) => {
      const { reportCommand } = await import('./commands/report.js');
      setExitCode(await reportCommand(target, { ...common(flags), html: flags.html }));
    });

  program
    .command('reconcile')
    .description("check the recorded usage against what Anthropic's Admin API says was billed (needs ANTHROPIC_ADMIN_KEY)")
    .addArgument(targetArgument())
    .addOption(configOption())
    .option('--wait', 'while pending, check again every billing.pollSeconds')
    .addOption(
      new Option('--timeout <minutes>', 'with --wait: stop waiting after this many minutes').argParser(
        givenOnce('--timeout', positiveNumber('--timeout', 'minutes')),
      ),
    )
    .option('--json', 'print one JSON document (schema/reconcile.schema.json)')
    .addOption(
      new Option('--report <file>', 'also write the result as a Markdown report to FILE').argParser(
        givenOnce('--report', pathValue('--report')),
      ),
    )
    .action(
      async (target: string | undefined, flags: CommonFlags & { wait?: boolean; timeout?: number; json?: boolean; report?: string }) => {
        const { reconcileCommand } = await import('./commands/reconcile.js');
        setExitCode(
          await reconcileCommand(target, {
            ...common(flags),
            json: flags.json === true,
            wait: flags.wait === true,
            ...(flags.timeout !== undefined && { timeoutMinutes: flags.timeout }),
            ...(flags.report !== undefined && { report: flags.report }),
          }),
        );
      },
    );

  program
    .command('merge')
    .description("gather the shards' state folders (and their logs, in the sibling logs/ folders) into one")
    .addArgument(new Argument('<stateDirs...>', 'the state folders of the shards').argParser(pathList('a state folder')))
    .addOption(
      new Option('--into <stateDir>', 'the state folder to merge into (its logs go to <stateDir>/../logs)')
        .argParser(givenOnce('--into', pathValue('--into')))
        .makeOptionMandatory(),
    )
    .action(async (stateDirs: string[], flags: { into: string }) => {
      const { mergeCommand } = await import('./commands/merge.js');
      setExitCode(await mergeCommand(stateDirs, { into: flags.into }));
    });

  program
    .command('init')
    .description('write a commented starter claude-project.yaml and an example task in tasks/')
    .addArgument(new Argument('[dir]', 'the project folder').default('.').argParser(pathValue('the project folder')))
    .action(async (dir: string) => {
      const { initCommand } = await import('./commands/init.js');
      setExitCode(await initCommand(dir));
    });

  return program;
}
