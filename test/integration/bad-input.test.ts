import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import {
  FAKE_CLAUDE,
  Project,
  SONNET,
  billed,
  cleanup,
  config,
  expectUsage,
  fromModelUsage,
  init,
  result,
  taskFileName,
  type StepConfig,
} from './helpers.js';

afterAll(cleanup);

/** A state left by an earlier run, so "nothing changed" means something. */
const EARLIER_STATE = `${JSON.stringify(
  {
    version: 1,
    taskPath: 'tasks/t.md',
    taskName: 't',
    phase: 'failed',
    steps: [],
    tokenUsage: { [SONNET]: { inputTokens: 1, outputTokens: 2, cacheCreationInputTokens: 3, cacheReadInputTokens: 4, costUsd: 0.5 } },
    totalCostUsd: 0.5,
    malformedLines: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  },
  null,
  2,
)}\n`;

const goodUsage = { [SONNET]: billed(100, 10, 0, 0, 0.00045) };
const goodScenario = { attempts: [{ lines: [init('s'), result({ modelUsage: goodUsage })] }] };
const pipeline: StepConfig[] = [{ name: 'plan', prompt: 'Plan {{taskPath}}' }];

async function projectWith(
  configValue: Record<string, unknown> | string | undefined,
  extraFiles: Record<string, string> = {},
): Promise<Project> {
  const project = await Project.create({
    ...(configValue !== undefined && { config: configValue }),
    tasks: { 'tasks/t.md': 'Task\n', '.claude-project/state/t.state.json': EARLIER_STATE, ...extraFiles },
    scenario: goodScenario,
  });
  return project;
}

/** Runs the CLI and asserts: exit 2, the message matches, nothing in the project changed, claude never ran. */
async function expectRefused(
  project: Project,
  args: string[],
  messages: Array<string | RegExp>,
  env: Record<string, string | undefined> = {},
): Promise<string> {
  const before = await project.snapshot();
  const run = await project.run(args, { env });
  expect(run.exitCode).toBe(2);
  for (const message of messages) {
    if (typeof message === 'string') expect(run.stderr).toContain(message);
    else expect(run.stderr).toMatch(message);
  }
  expect(run.stderr).not.toMatch(/unexpected error| {4}at /); // a message, not a stack trace
  expect(await project.snapshot()).toEqual(before);
  expect(await project.calls()).toEqual([]);
  return run.stderr;
}

const CONFIG_LINES = (pipelineYaml: string) => `model: ${SONNET}\nclaude:\n  command: ${FAKE_CLAUDE}\npipeline:\n${pipelineYaml}`;

describe('bad configuration is refused before anything runs (exit 2, file/line/key named, no state touched)', () => {
  it.concurrent('missing config file', async () => {
    const project = await projectWith(undefined);
    await expectRefused(project, ['run', 'tasks/t.md'], ['claude-project.yaml', /not found/]);
  });

  it.concurrent('--config pointing at a file that does not exist', async () => {
    const project = await projectWith(config(pipeline));
    await expectRefused(project, ['run', 'tasks/t.md', '--config', 'other.yaml'], ['other.yaml', /not found/]);
  });

  it.concurrent('YAML syntax error: claude-project.yaml:<line>', async () => {
    // Line 6 holds the error: "Plan: it" is a mapping inside a plain scalar.
    const text = CONFIG_LINES('  - name: plan\n    prompt: Plan: it {{taskPath}}\n');
    expect(text.split('\n')[5]).toContain('prompt: Plan: it');
    const project = await projectWith(text);
    await expectRefused(project, ['run', 'tasks/t.md'], [/claude-project\.yaml:6\b/, /YAML/i]);
  });

  it.concurrent('unknown key: pipeline[0].promt, with its line and the valid keys', async () => {
    const text = CONFIG_LINES('  - name: plan\n    promt: Plan {{taskPath}}\n');
    expect(text.split('\n')[5]).toContain('promt:');
    const project = await projectWith(text);
    const stderr = await expectRefused(
      project,
      ['run', 'tasks/t.md'],
      [/claude-project\.yaml:6: pipeline\[0\]\.promt: unknown key/, 'prompt'],
    );
    // The missing prompt is reported in the same go.
    expect(stderr).toMatch(/pipeline\[0\]\.prompt: is required/);
  });

  it.concurrent('wrong type: pipeline[0].check.retries: -1', async () => {
    const text = CONFIG_LINES('  - name: plan\n    prompt: Plan\n    check:\n      command: test -f PLAN.md\n      retries: -1\n');
    expect(text.split('\n')[8]).toContain('retries: -1');
    const project = await projectWith(text);
    await expectRefused(project, ['run', 'tasks/t.md'], [/claude-project\.yaml:9: pipeline\[0\]\.check\.retries: .*-1/]);
  });

  it.concurrent('wrong type: timeoutSeconds: "ten"', async () => {
    const project = await projectWith(config(pipeline, { timeoutSeconds: 'ten' }));
    await expectRefused(project, ['run', 'tasks/t.md'], [/timeoutSeconds: expected a number.*"ten"/]);
  });

  it.concurrent('unknown placeholder {{foo}}', async () => {
    const project = await projectWith(config([{ name: 'plan', prompt: 'Plan {{foo}} in {{taskPath}}' }]));
    await expectRefused(project, ['run', 'tasks/t.md'], [/pipeline\[0\]\.prompt: .*\{\{foo\}\}/, '{{taskPath}}']);
  });

  it.concurrent('unknown placeholder in a check command', async () => {
    const project = await projectWith(config([{ name: 'plan', prompt: 'Plan', check: { command: 'test -f {{output}}' } }]));
    await expectRefused(project, ['run', 'tasks/t.md'], [/pipeline\[0\]\.check\.command: .*\{\{output\}\}/]);
  });

  it.concurrent('duplicate step name', async () => {
    const project = await projectWith(
      config([
        { name: 'plan', prompt: 'A' },
        { name: 'build', prompt: 'B' },
        { name: 'plan', prompt: 'C' },
      ]),
    );
    await expectRefused(project, ['run', 'tasks/t.md'], [/pipeline\[2\]\.name: duplicate step name "plan"/]);
  });

  it.concurrent('an empty pipeline', async () => {
    const project = await projectWith(config([]));
    await expectRefused(project, ['run', 'tasks/t.md'], [/pipeline: expected at least 1/]);
  });
});

describe('bad targets and environment', () => {
  it.concurrent('missing task file: named, and no state file created for it', async () => {
    const project = await projectWith(config(pipeline));
    await expectRefused(project, ['run', 'tasks/missing.md'], ['tasks/missing.md', /not found/]);
    expect(existsSync(project.taskStateFile('tasks/missing.md'))).toBe(false);
  });

  it.concurrent('sequence on a folder with no *.md', async () => {
    const project = await projectWith(config(pipeline), { 'empty/readme.txt': 'no tasks here' });
    await expectRefused(project, ['sequence', 'empty'], ['empty', /no task files/]);
    expect(existsSync(project.sequenceStateFile)).toBe(false);
  });

  it.concurrent('claude not found (claude.command) → names claude.command and CLAUDE_PROJECT_CLAUDE_BIN', async () => {
    const project = await projectWith(config(pipeline, { claude: { command: '/nonexistent/claude' } }));
    await expectRefused(project, ['run', 'tasks/t.md'], ['/nonexistent/claude', 'claude.command', 'CLAUDE_PROJECT_CLAUDE_BIN']);
  });

  it.concurrent('claude not found (CLAUDE_PROJECT_CLAUDE_BIN, which overrides claude.command)', async () => {
    const project = await projectWith(config(pipeline));
    await expectRefused(project, ['run', 'tasks/t.md'], ['/nonexistent/bin/claude', 'CLAUDE_PROJECT_CLAUDE_BIN'], {
      CLAUDE_PROJECT_CLAUDE_BIN: '/nonexistent/bin/claude',
    });
  });

  it.concurrent('CLAUDE_PROJECT_CLAUDE_BIN is used instead of claude.command', async () => {
    const project = await projectWith(config(pipeline, { claude: { command: '/nonexistent/claude' } }));
    const run = await project.run(['run', 'tasks/t.md'], { env: { CLAUDE_PROJECT_CLAUDE_BIN: FAKE_CLAUDE } });
    expect(run.exitCode).toBe(0);
    expect(await project.calls()).toHaveLength(1);
  });
});

describe('a corrupt state file', () => {
  const CORRUPT = '{"version":1,"taskPath":"tasks/t.md","phase":"runn';
  const name = `${taskFileName('tasks/t.md')}.state.json`;

  it.concurrent('stops with exit 2, names the file, leaves it unchanged', async () => {
    const project = await projectWith(config(pipeline), { [`.claude-project/state/${name}`]: CORRUPT });
    await expectRefused(project, ['run', 'tasks/t.md'], [project.taskStateFile('t'), /--restart/]);
    expect(await readFile(project.taskStateFile('t'), 'utf8')).toBe(CORRUPT);
  });

  it.concurrent('--restart moves it aside to <file>.corrupt-<timestamp> and runs', async () => {
    const project = await projectWith(config(pipeline), { [`.claude-project/state/${name}`]: CORRUPT });
    const run = await project.run(['run', 'tasks/t.md', '--restart']);
    expect(run.exitCode).toBe(0);
    const names = await readdir(project.stateDir);
    const aside = names.filter((n) => n.startsWith(`${name}.corrupt-`));
    expect(aside).toHaveLength(1);
    expect(aside[0]!.slice(name.length)).toMatch(/^\.corrupt-\d{4}-\d{2}-\d{2}T/);
    expect(await readFile(`${project.stateDir}/${aside[0]}`, 'utf8')).toBe(CORRUPT);
    const state = await project.taskState('t');
    expect(state.phase).toBe('done');
    expectUsage(state.tokenUsage, fromModelUsage(goodUsage));
  });
});

describe('the config file itself is read as YAML, not only as our own output', () => {
  it.concurrent('accepts a hand-written config with comments and a block prompt', async () => {
    const text = `# my project\nmodel: ${SONNET}   # default\nclaude:\n  command: ${FAKE_CLAUDE}\npipeline:\n  - name: plan\n    prompt: |\n      Read {{taskPath}}.\n      Then plan.\n`;
    const project = await projectWith(text);
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(0);
    expect((await project.calls())[0]!.stdin).toBe('Read tasks/t.md.\nThen plan.\n\nTask\n');
  });
});
