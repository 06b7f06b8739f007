import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  FAKE_CLAUDE,
  HAIKU,
  OPUS,
  Project,
  REPO,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectUsage,
  formatCount,
  fromModelUsage,
  init,
  result,
  snapshot,
  sumUsage,
  totalOf,
  type TokenUsage,
  taskFileName,
  usd,
} from './helpers.js';

afterAll(cleanup);

describe('CLI basics', () => {
  let project: Project;
  beforeAll(async () => {
    project = await Project.create();
  });

  it('--version (and -v) prints the version of package.json', async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const run = await project.run([flag]);
      expect(run.exitCode).toBe(0);
      expect(run.stdout.trim()).toBe(pkg.version);
    }
  });

  it('--help exits 0 and lists run, sequence and status', async () => {
    const run = await project.run(['--help']);
    expect(run.exitCode).toBe(0);
    for (const command of ['run', 'sequence', 'status', 'recount', 'report', 'init'])
      expect(run.stdout).toMatch(new RegExp(`^  ${command} \\[`, 'm'));
  });

  it('an unknown command exits 2 and names it', async () => {
    const run = await project.run(['frobnicate']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('frobnicate');
  });

  it('an unknown flag exits 2 and names it', async () => {
    const run = await project.run(['run', 'tasks/t.md', '--bogus-flag']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--bogus-flag');
  });

  it('run without a task file exits 2', async () => {
    const run = await project.run(['run']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/task/);
  });

  it('no command at all: the help on stderr, nothing on stdout, exit 2', async () => {
    const run = await project.run([]);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/claude-project run\b|run \[options\] <task>/);
  });

  it('"help" prints the help on stdout and exits 0', async () => {
    const run = await project.run(['help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/sequence \[options\] <dir>/);
  });

  it("<command> --help shows that command's options only", async () => {
    const run = await project.run(['run', '--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/Usage: claude-project run/);
    for (const own of ['--restart', '--json', '--quiet', '--config']) expect(run.stdout).toContain(own);
    for (const other of ['--keep-going', '--fix', '--html']) expect(run.stdout).not.toContain(other);

    const status = await project.run(['status', '--help']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('--json');
    for (const other of ['--restart', '--keep-going', '--fix', '--html', '--quiet']) expect(status.stdout).not.toContain(other);
  });

  it.each([
    [['status', '--restart'], '--restart'],
    [['status', '--fix', '--keep-going'], '--fix'],
    [['status', '--restart', '--fix', '--keep-going'], '--restart'],
    [['recount', '--json'], '--json'],
    [['run', 'tasks/t.md', '--keep-going'], '--keep-going'],
    [['report', '--html', 'r.html', '--quiet'], '--quiet'],
  ])('a flag the command does not take (%j) exits 2 naming it, on stderr, with no stack', async (args, flag) => {
    const run = await project.run(args);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`unknown option '${flag}'`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('an extra argument exits 2 and names the command', async () => {
    const run = await project.run(['status', 'tasks', 'more']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/too many arguments for 'status'/);
  });
});

describe('status', () => {
  const planBilled = { [OPUS]: billed(2_000, 850, 3_000, 12_000, 0.4321) };
  const implBilled = { [SONNET]: billed(900, 1_100, 2_000, 40_000, 0.0712), [HAIKU]: billed(2_100, 310, 0, 0, 0.0037) };
  let project: Project;

  beforeAll(async () => {
    project = await Project.create({
      config: config([
        { name: 'plan', model: OPUS, prompt: 'Plan' },
        { name: 'implement', prompt: 'Implement' },
      ]),
      tasks: { 'tasks/alpha.md': 'A\n', 'tasks/beta.md': 'B\n' },
      scenario: {
        attempts: [
          {
            lines: [
              init('p', OPUS),
              ...assistant({ id: 'mp', model: OPUS, usage: snapshot(5), blocks: 2 }),
              result({ modelUsage: planBilled }),
            ],
          },
          {
            lines: [
              init('i'),
              ...assistant({ id: 'mi', model: SONNET, usage: snapshot(5), blocks: 1 }),
              ...assistant({ id: 'ms', model: HAIKU, usage: snapshot(5), blocks: 1, parentToolUseId: 'toolu_t' }),
              result({ modelUsage: implBilled }),
            ],
          },
        ],
      },
    });
  });

  it('before any run says nothing has run', async () => {
    const run = await project.run(['status']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/nothing has run/i);
  });

  it('after a run prints a per-step, per-model table', async () => {
    expect((await project.run(['run', 'tasks/alpha.md'])).exitCode).toBe(0);
    const run = await project.run(['status']);
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split('\n');
    const numbers = (u: TokenUsage): RegExp =>
      new RegExp(
        `${[u.inputTokens, u.outputTokens, u.cacheCreationInputTokens, u.cacheReadInputTokens].map(formatCount).join('\\s+')}\\s+${usd(u.costUsd).replace('$', '\\$').replace('.', '\\.')}`,
      );
    const planRow = lines.find((l) => /^\s*plan\s/.test(l));
    expect(planRow).toMatch(/done/);
    expect(planRow).toContain(OPUS);
    expect(planRow).toMatch(numbers(fromModelUsage(planBilled)[OPUS]!));
    // implement used two models: one row each, the step's cells only on the first.
    const implRow = lines.findIndex((l) => /^\s*implement\s/.test(l));
    expect(implRow).toBeGreaterThan(-1);
    const implRows = lines.slice(implRow, implRow + 2);
    const sonnetRow = implRows.find((l) => l.includes(SONNET));
    const haikuRow = implRows.find((l) => l.includes(HAIKU));
    expect(sonnetRow).toMatch(numbers(fromModelUsage(implBilled)[SONNET]!));
    expect(haikuRow).toMatch(numbers(fromModelUsage(implBilled)[HAIKU]!));
    expect(run.stdout).toContain('alpha');
    const taskCost = totalOf(sumUsage(fromModelUsage(planBilled), fromModelUsage(implBilled))).costUsd;
    expect(run.stdout).toMatch(new RegExp(`alpha \\(tasks/alpha\\.md\\): done · ${usd(taskCost).replace('$', '\\$').replace('.', '\\.')}`));
  });

  it('status <task.md> shows that task; a task not run yet is said to be so', async () => {
    const alpha = await project.run(['status', 'tasks/alpha.md']);
    expect(alpha.exitCode).toBe(0);
    expect(alpha.stdout).toContain(OPUS);
    const beta = await project.run(['status', 'tasks/beta.md']);
    expect(beta.exitCode).toBe(0);
    expect(beta.stdout).toMatch(/beta.*not run yet/);
    expect(beta.stdout).not.toContain(OPUS);
  });
});

describe('paths and environment', () => {
  const usage = { [SONNET]: billed(100, 10, 0, 0, 0.00045) };
  const scenario = { attempts: [{ lines: [init('s'), result({ modelUsage: usage })] }] };

  it('slug: characters outside [a-zA-Z0-9-] become "-"; statePath and logsPath from the config', async () => {
    const project = await Project.create({
      config: config([{ name: 'plan', prompt: 'Plan {{taskName}}' }], { statePath: 'out/state', logsPath: 'out/logs' }),
      tasks: { 'tasks/my task.v2.md': 'T\n' },
      scenario,
    });
    const run = await project.run(['run', 'tasks/my task.v2.md']);
    expect(run.exitCode).toBe(0);
    const name = taskFileName('tasks/my task.v2.md');
    expect(name).toMatch(/^my-task-v2-[0-9a-f]{8}$/);
    const stateFile = path.join(project.dir, `out/state/${name}.state.json`);
    expect(existsSync(stateFile)).toBe(true);
    expect(existsSync(path.join(project.dir, `out/logs/${name}/01-plan.log`))).toBe(true);
    expect(existsSync(path.join(project.dir, `out/logs/${name}/01-plan.jsonl`))).toBe(true);
    expect(existsSync(project.stateDir)).toBe(false);
    const state = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(state.taskPath).toBe('tasks/my task.v2.md');
    expectUsage(state.tokenUsage, fromModelUsage(usage));
  });

  it('--config from a subfolder: claude runs in the config folder, which holds the state; the environment reaches claude', async () => {
    const project = await Project.create({
      config: config([{ name: 'plan', prompt: 'Plan {{taskPath}}' }], { claude: { command: './bin/claude' } }),
      tasks: {
        'tasks/t.md': 'T\n',
        // A relative claude.command (resolved from the config folder) that records its environment.
        'bin/claude': `#!/bin/sh\nmkdir -p "$FAKE_CLAUDE_RECORD"\nprintf '%s' "$ANTHROPIC_BASE_URL" > "$FAKE_CLAUDE_RECORD/base-url.txt"\nexec "${FAKE_CLAUDE}" "$@"\n`,
      },
      scenario,
    });
    await chmod(path.join(project.dir, 'bin/claude'), 0o755);
    await mkdir(path.join(project.dir, 'sub'), { recursive: true });
    const run = await project.run(['run', '../tasks/t.md', '--config', '../claude-project.yaml'], {
      cwd: path.join(project.dir, 'sub'),
      env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/proxy' },
    });
    expect(run.exitCode).toBe(0);
    const [call] = await project.calls();
    expect(call!.cwd).toBe(project.dir);
    expect(call!.stdin).toMatch(/^Plan tasks\/t\.md/);
    expect(await readFile(path.join(project.recordDir, 'base-url.txt'), 'utf8')).toBe('http://127.0.0.1:9/proxy');
    expect(existsSync(project.taskStateFile('t'))).toBe(true);
    expect(existsSync(path.join(project.dir, 'sub', '.claude-project'))).toBe(false);
  });
});
