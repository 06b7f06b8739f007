/**
 * `run --json` and `sequence --json`: stdout holds exactly one line, the JSON summary
 * (schema/run-summary.schema.json), whatever the outcome; the human summary goes to stderr
 * (nothing there with --quiet). Numbers are what the fake claude billed; exitCode is the
 * process's exit code.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  HAIKU,
  OPUS,
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectUsage,
  fromModelUsage,
  init,
  rateLimitEvent,
  result,
  snapshot,
  sumUsage,
  totalOf,
  waitFor,
  type Attempt,
  type BilledUsage,
  type CliResult,
  type ModelTokenUsage,
  type TokenUsage,
} from '../integration/helpers.js';
import { loadSchema, openObjects, validator } from './schema.js';

afterAll(cleanup);

const validate = validator('run-summary');

/** A call that ends with `result` billing `modelUsage` (and writes `writeFiles`). */
function call(id: string, modelUsage: Record<string, BilledUsage>, extra: Partial<Attempt> = {}): Attempt {
  const [model] = Object.keys(modelUsage);
  return {
    lines: [init(id, model), ...assistant({ id: `m-${id}`, model: model!, usage: snapshot(5), blocks: 2 }), result({ modelUsage })],
    ...extra,
  };
}

const planUsage = { [OPUS]: billed(1_200, 340, 2_500, 9_000, 0.2105) };
const workUsage = { [SONNET]: billed(800, 650, 1_500, 30_000, 0.0433), [HAIKU]: billed(1_900, 220, 0, 0, 0.0031) };
const twoSteps = config([
  { name: 'plan', model: OPUS, prompt: 'Plan {{taskPath}}' },
  { name: 'work', prompt: 'Work on {{taskPath}}', check: { command: 'test -f {{taskName}}.ok' } },
]);

/** Stdout is one line and nothing else: the summary, valid against the schema, whose exitCode is the process's. */
function summaryOf(run: CliResult): Record<string, any> {
  // (execa strips the final newline.)
  const lines = run.stdout.split('\n');
  expect(lines).toHaveLength(1);
  const summary = JSON.parse(lines[0]!);
  expect(validate(summary)).toEqual([]);
  expect(summary.exitCode).toBe(run.exitCode);
  return summary;
}

function usageOf(rows: Array<TokenUsage & { model: string }>): ModelTokenUsage {
  return Object.fromEntries(rows.map(({ model, ...u }) => [model, u]));
}

function expectBilled(summary: Record<string, any>, usage: ModelTokenUsage): void {
  expectUsage(usageOf(summary.models), usage);
  expectUsage({ total: summary.total }, { total: totalOf(usage) });
  // Highest cost first, as every report orders models.
  const costs = summary.models.map((m: TokenUsage) => m.costUsd);
  expect(costs).toEqual([...costs].sort((a, b) => b - a));
}

it('the schema is closed: every object lists all its fields as required, and no others are allowed', () => {
  expect(openObjects(loadSchema('run-summary'))).toEqual([]);
});

describe('run --json', () => {
  it('done (exit 0): one JSON line with what was billed; the human summary on stderr; again: resumed, the same numbers, no call', async () => {
    const project = await Project.create({
      config: twoSteps,
      tasks: { 'tasks/login.md': 'Add login.\n' },
      scenario: { attempts: [call('p', planUsage), call('w', workUsage, { writeFiles: { 'login.ok': '' } })] },
    });
    const run = await project.run(['run', 'tasks/login.md', '--json']);
    expect(run.exitCode).toBe(0);
    const summary = summaryOf(run);
    expect(summary).toMatchObject({
      schemaVersion: 1,
      command: 'run',
      phase: 'done',
      taskPath: 'tasks/login.md',
      taskName: 'login',
      stateFile: project.taskStateFile('login'),
      error: null,
    });
    const billedAll = sumUsage(fromModelUsage(planUsage), fromModelUsage(workUsage));
    expectBilled(summary, billedAll);
    expectUsage((await project.taskState('login')).tokenUsage, billedAll);
    // The human summary is on stderr, after the progress.
    expect(run.stderr).toContain(`login: done · state ${project.taskStateFile('login')}`);
    // list prices: Opus 4.1 1,200 × $15 + 340 × $75 + 2,500 × $18.75 + 9,000 × $1.50 = 103,875;
    // Sonnet 4.5 800 × $3 + 650 × $15 + 1,500 × $3.75 + 30,000 × $0.30 = 26,775; Haiku 4.5 1,900 × $1 + 220 × $5 = 3,000
    expect(run.stderr).toMatch(/^ *total +3,900 +1,210 +4,000 +39,000 +\$0\.1336$/m);

    const again = await project.run(['run', 'tasks/login.md', '--json', '--quiet']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toBe('');
    expectBilled(summaryOf(again), billedAll);
    expect(await project.calls()).toHaveLength(2);
  });

  it('without --json: the human summary on stdout, no JSON', async () => {
    const project = await Project.create({
      config: twoSteps,
      tasks: { 'tasks/login.md': 'Add login.\n' },
      scenario: { attempts: [call('p', planUsage), call('w', workUsage, { writeFiles: { 'login.ok': '' } })] },
    });
    const run = await project.run(['run', 'tasks/login.md']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`login: done · state ${project.taskStateFile('login')}`);
    expect(run.stdout).not.toContain('{');
  });

  it('a failed check (exit 1): phase failed, the error, and the failed attempt still counted', async () => {
    const project = await Project.create({
      config: twoSteps,
      tasks: { 'tasks/login.md': 'Add login.\n' },
      scenario: { attempts: [call('p', planUsage), call('w', workUsage)] },
    });
    const run = await project.run(['run', 'tasks/login.md', '--json', '--quiet']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('');
    const summary = summaryOf(run);
    expect(summary).toMatchObject({ command: 'run', phase: 'failed', exitCode: 1 });
    expect(summary.error).toMatch(/check failed/);
    expectBilled(summary, sumUsage(fromModelUsage(planUsage), fromModelUsage(workUsage)));
  });

  it('stopped by a usage limit it may not wait for (exit 3): what was billed before it', async () => {
    const limitedUsage = { [SONNET]: billed(400, 30, 0, 2_000, 0.0031) };
    const limited: Attempt = {
      lines: [
        init('rl'),
        ...assistant({ id: 'm-rl', model: SONNET, usage: snapshot(400, 0, 2_000), blocks: 1 }),
        rateLimitEvent(Math.floor(Date.now() / 1000) + 3600),
        result({ modelUsage: limitedUsage, isError: true, text: "You've hit your limit" }),
      ],
      exitCode: 1,
    };
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }], { rateLimit: { wait: false } }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [limited] },
    });
    const run = await project.run(['run', 'tasks/t.md', '--json']);
    expect(run.exitCode).toBe(3);
    const summary = summaryOf(run);
    expect(summary).toMatchObject({ command: 'run', phase: 'failed', exitCode: 3 });
    expect(summary.error).toMatch(/rateLimit\.wait/);
    expectBilled(summary, fromModelUsage(limitedUsage));
  });

  it('interrupted by SIGINT (exit 130): the summary line is still printed', async () => {
    const started = snapshot(40, 100, 200);
    const hanging: Attempt = { lines: [init('h'), ...assistant({ id: 'm-h', model: SONNET, usage: started, blocks: 1 })], hang: true };
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [hanging] },
    });
    const cli = project.start(['run', 'tasks/t.md', '--json']);
    const rawLog = `${project.stepLogBase('t', 0, 'work')}.jsonl`;
    await waitFor(
      'the stream in the raw log',
      async () => existsSync(rawLog) && (await readFile(rawLog, 'utf8')).includes('"type":"assistant"'),
    );
    cli.kill('SIGINT');
    const done = await cli;
    const run: CliResult = { exitCode: done.exitCode, stdout: String(done.stdout), stderr: String(done.stderr), durationMs: 0 };
    expect(run.exitCode).toBe(130);
    const summary = summaryOf(run);
    expect(summary).toMatchObject({ command: 'run', phase: 'interrupted', exitCode: 130 });
    // No result and (for the fake claude) no transcript: the stream's estimate, at list price.
    const want = (await project.taskState('t')).tokenUsage;
    expectBilled(summary, want);
    expect(Object.keys(want)).toEqual([SONNET]);
    expect(summary.total.cacheReadInputTokens).toBe(200);
  });

  it('bad input (exit 2): no summary line, the message on stderr', async () => {
    const project = await Project.create({ config: twoSteps, tasks: {} });
    const run = await project.run(['run', 'tasks/none.md', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^claude-project: .*tasks\/none\.md/);
  });
});

describe('sequence --json', () => {
  it('all done (exit 0): the sequence totals over its tasks', async () => {
    const project = await Project.create({
      config: twoSteps,
      tasks: { 'tasks/a.md': 'A\n', 'tasks/b.md': 'B\n' },
      scenario: {
        attempts: [
          call('a1', planUsage),
          call('a2', workUsage, { writeFiles: { 'a.ok': '' } }),
          call('b1', planUsage),
          call('b2', workUsage, { writeFiles: { 'b.ok': '' } }),
        ],
      },
    });
    const run = await project.run(['sequence', 'tasks', '--json']);
    expect(run.exitCode).toBe(0);
    const summary = summaryOf(run);
    expect(summary).toMatchObject({
      schemaVersion: 1,
      command: 'sequence',
      phase: 'done',
      tasksDir: 'tasks',
      tasksTotal: 2,
      tasksCompleted: 2,
      tasksFailed: 0,
      failedTasks: [],
      stateFile: project.sequenceStateFile,
    });
    const perTask = sumUsage(fromModelUsage(planUsage), fromModelUsage(workUsage));
    expectBilled(summary, sumUsage(perTask, perTask));
    expect(run.stderr).toContain('sequence tasks: done · 2/2 done, 0 failed');
  });

  it('--keep-going past a failed task (exit 1): failedTasks, counts, and every task billed', async () => {
    const project = await Project.create({
      config: twoSteps,
      tasks: { 'tasks/a.md': 'A\n', 'tasks/b.md': 'B\n' },
      scenario: {
        attempts: [
          call('a1', planUsage),
          call('a2', workUsage),
          call('b1', planUsage),
          call('b2', workUsage, { writeFiles: { 'b.ok': '' } }),
        ],
      },
    });
    const run = await project.run(['sequence', 'tasks', '--json', '--keep-going', '--quiet']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('');
    const summary = summaryOf(run);
    expect(summary).toMatchObject({
      command: 'sequence',
      phase: 'failed',
      tasksTotal: 2,
      tasksCompleted: 1,
      tasksFailed: 1,
      failedTasks: ['tasks/a.md'],
    });
    const perTask = sumUsage(fromModelUsage(planUsage), fromModelUsage(workUsage));
    expectBilled(summary, sumUsage(perTask, perTask));
  });
});
