/**
 * `status` and `status --json` on state files written by a real `sequence` run of the built CLI
 * against the fake claude (fixture.ts): every number must be what the fake claude billed (or,
 * for the crashed attempt, the list-price estimate of what it streamed), computed by the test
 * from the scenario's inputs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { Project, cleanup, expectUsage, formatCount, sumUsage, type ModelTokenUsage, type TokenUsage } from '../integration/helpers.js';
import { AUTH, BILLING, LATER, expected, ranProject, totalOf, type Expected } from './fixture.js';
import { loadSchema, openObjects, validator } from './schema.js';

let project: Project;
let want: Expected;
/** The attempt of 02-billing's implement step that crashed: all the waste of the fixture. */
const crashed = (): ModelTokenUsage => want.attempts[BILLING]!.implement![0]!;

beforeAll(async () => {
  project = await ranProject();
  want = expected();
});
afterAll(cleanup);

// costs are kept to 1e-10 USD, so a sum's float noise does not tip the fourth decimal
const cost = (usd: number | null): string => (usd === null ? 'unknown' : `$${(Math.round(usd * 1e10) / 1e10).toFixed(4)}`);
const cells = (u: TokenUsage): string[] => [
  formatCount(u.inputTokens),
  formatCount(u.outputTokens),
  formatCount(u.cacheCreationInputTokens),
  formatCount(u.cacheReadInputTokens),
  cost(u.costUsd),
];
/** Models as the reports order them: highest cost first. */
const byCost = (usage: ModelTokenUsage): [string, TokenUsage][] =>
  Object.entries(usage).sort(([, a], [, b]) => (b.costUsd ?? Infinity) - (a.costUsd ?? Infinity));

// (execa strips the final newline of stdout and stderr.)

/** A text table's rows as cells (columns are at least two spaces apart; no cell holds two). */
const rowsOf = (lines: string[]): string[][] => lines.map((line) => line.trim().split(/ {2,}/));

/** Per-model rows (from --json) back to per-model usage. */
function usageOf(rows: Array<TokenUsage & { model: string }>): ModelTokenUsage {
  return Object.fromEntries(rows.map(({ model, ...u }) => [model, u]));
}

async function stepDurations(slug: string): Promise<number[]> {
  return (await project.taskState(slug)).steps.map((s: { durationMs: number }) => s.durationMs);
}
const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;

describe('status (text)', () => {
  it('shows tasks → steps → models with the four counts, cost, source, attempts, duration and phase; totals at the bottom', async () => {
    const run = await project.run(['status', 'tasks']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split('\n');

    const steps = { [AUTH]: ['plan', 'implement'], [BILLING]: ['plan', 'implement'] };
    const attempts: Record<string, number[]> = { [AUTH]: [1, 1], [BILLING]: [1, 2] };
    const sources: Record<string, string[]> = { [AUTH]: ['result', 'result'], [BILLING]: ['result', 'estimate'] };
    for (const [taskPath, slug] of [
      [AUTH, '01-auth'],
      [BILLING, '02-billing'],
    ] as const) {
      const head = lines.findIndex((l) => l.startsWith(`${slug} (${taskPath}): `));
      expect(lines[head]).toBe(`${slug} (${taskPath}): done · ${cost(totalOf(want.tasks[taskPath]!).costUsd)}`);
      // one sentence: what was wasted (the crashed attempt, by what it streamed) of the whole
      expect(lines[head + 1]).toBe(
        taskPath === AUTH
          ? `  2 attempts; nothing wasted (${cost(totalOf(want.tasks[AUTH]!).costUsd)} useful)`
          : `  3 attempts; 1 error cost ${cost(totalOf(crashed()).costUsd)} of ${cost(totalOf(want.tasks[BILLING]!).costUsd)}`,
      );
      expect(rowsOf([lines[head + 2]!])[0]).toEqual([
        'step',
        'status',
        'attempts',
        'source',
        'duration',
        'model',
        'input',
        'output',
        'cache write',
        'cache read',
        'cost',
        'waste',
      ]);
      const body = lines.slice(head + 3, lines.indexOf('', head));
      const wantRows: string[][] = [];
      const durations = await stepDurations(slug);
      steps[taskPath].forEach((step, i) => {
        byCost(want.steps[taskPath]![step]!).forEach(([model, u], m) => {
          const info = m === 0 ? [step, 'done', String(attempts[taskPath]![i]), sources[taskPath]![i]!, seconds(durations[i]!)] : [];
          const wasted = taskPath === BILLING && step === 'implement' ? cost(totalOf(crashed()).costUsd) : '-';
          wantRows.push([...info, model, ...cells(u), ...(m === 0 ? [wasted] : [])]);
        });
      });
      expect(rowsOf(body)).toEqual(wantRows);
    }
    expect(lines).toContain(`${LATER}: not run yet`);

    // The bottom: the sequence, then per-model totals over the tasks shown and the total row.
    const bottom = lines.indexOf('Sequence tasks: done · 2/2 done, 0 failed');
    expect(bottom).toBeGreaterThan(lines.indexOf(`${LATER}: not run yet`));
    expect(lines[bottom + 1]).toBe('Total over 3 task(s)');
    expect(rowsOf(lines.slice(bottom + 2))).toEqual([
      ['model', 'input', 'output', 'cache write', 'cache read', 'cost'],
      ...byCost(want.all).map(([model, u]) => [model, ...cells(u)]),
      ['total', ...cells(totalOf(want.all))],
      [`5 attempts; 1 error cost ${cost(totalOf(crashed()).costUsd)} of ${cost(totalOf(want.all).costUsd)}`],
      [`cost per passed task: ${cost(totalOf(want.all).costUsd! / 2)} (${cost(totalOf(want.all).costUsd)} over 2 done)`],
    ]);
  });

  it('one task: its steps and a total of that task alone', async () => {
    const run = await project.run(['status', BILLING]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toContain('01-auth');
    expect(run.stdout).not.toContain('Sequence');
    const lines = run.stdout.split('\n');
    const total = lines.indexOf('Total over 1 task(s)');
    expect(rowsOf(lines.slice(total + 2))).toEqual([
      ...byCost(want.tasks[BILLING]!).map(([model, u]) => [model, ...cells(u)]),
      ['total', ...cells(totalOf(want.tasks[BILLING]!))],
      [`3 attempts; 1 error cost ${cost(totalOf(crashed()).costUsd)} of ${cost(totalOf(want.tasks[BILLING]!).costUsd)}`],
      [`cost per passed task: ${cost(totalOf(want.tasks[BILLING]!).costUsd)} (${cost(totalOf(want.tasks[BILLING]!).costUsd)} over 1 done)`],
    ]);
  });
});

describe('status --json', () => {
  it('validates against schema/status.schema.json, and the schema is closed: no field can drift unnoticed', async () => {
    expect(openObjects(loadSchema('status'))).toEqual([]);
    const run = await project.run(['status', 'tasks', '--json']);
    expect(run.exitCode).toBe(0);
    const data = JSON.parse(run.stdout);
    const validate = validator('status');
    expect(validate(data)).toEqual([]);
    // The validator does catch drift: a field added, a field gone, a count of the wrong type.
    expect(validate({ ...data, extra: 1 })).not.toEqual([]);
    const { waitingUntil: _gone, ...taskWithoutField } = data.tasks[0];
    expect(validate({ ...data, tasks: [taskWithoutField] })).not.toEqual([]);
    expect(validate({ ...data, totals: { ...data.totals, total: { ...data.totals.total, inputTokens: '7700' } } })).not.toEqual([]);
  });

  it('holds what was billed: per attempt, step, task, sequence and in total, models by cost', async () => {
    const run = await project.run(['status', 'tasks', '--json']);
    const data = JSON.parse(run.stdout);
    expect(data.tasks.map((t: { taskPath: string }) => t.taskPath)).toEqual([AUTH, BILLING, LATER]);

    for (const task of data.tasks.slice(0, 2)) {
      const path = task.taskPath as string;
      expect(task.phase).toBe('done');
      expectUsage(usageOf(task.models), want.tasks[path]!);
      expectUsage({ total: task.total }, { total: totalOf(want.tasks[path]!) });
      expect(task.models.map((m: { model: string }) => m.model)).toEqual(byCost(want.tasks[path]!).map(([model]) => model));
      const state = await project.taskState(path === AUTH ? '01-auth' : '02-billing');
      expect(task.durationMs).toBe(state.steps.reduce((n: number, s: { durationMs: number }) => n + s.durationMs, 0));
      expect(task.steps.map((s: { name: string }) => s.name)).toEqual(['plan', 'implement']);
      task.steps.forEach((step: any, i: number) => {
        expectUsage(usageOf(step.models), want.steps[path]![step.name]!);
        expectUsage({ total: step.total }, { total: totalOf(want.steps[path]![step.name]!) });
        expect(step.status).toBe('done');
        expect(step.durationMs).toBe(state.steps[i].durationMs);
        expect(step.attempts).toHaveLength(want.attempts[path]![step.name]!.length);
        step.attempts.forEach((attempt: any, a: number) => {
          expectUsage(usageOf(attempt.models), want.attempts[path]![step.name]![a]!);
        });
      });
    }
    const implement = data.tasks[1].steps[1];
    expect(implement.attempts.map((a: any) => [a.outcome, a.usageSource, a.exitCode])).toEqual([
      ['claude-failed', 'estimate', 1],
      ['passed', 'result', 0],
    ]);
    expect(implement.usageSource).toBe('estimate');
    expect(data.tasks[1].usageSource).toBe('estimate');
    expect(data.tasks[0].usageSource).toBe('result');

    expect(data.tasks[2]).toMatchObject({ taskPath: LATER, phase: 'not-run', steps: [], models: [], usageSource: null });
    expectUsage(usageOf(data.totals.models), want.all);
    expectUsage({ total: data.totals.total }, { total: totalOf(want.all) });
    expect(data.totals).toMatchObject({ tasks: 3, tasksRun: 2 });
    expect(data.sequence).toMatchObject({
      tasksDir: 'tasks',
      phase: 'done',
      tasksTotal: 2,
      tasksCompleted: 2,
      tasksFailed: 0,
      failedTasks: [],
    });
    expectUsage(usageOf(data.sequence.models), want.all);
  });

  it('splits the spend into useful and waste: the crashed attempt is the waste, to the token; cost per passed task', async () => {
    const data = JSON.parse((await project.run(['status', 'tasks', '--json'])).stdout);
    const billing = data.tasks[1];
    const passed = sumUsage(...Object.values(want.attempts[BILLING]!).flatMap((attempts) => attempts.filter((a) => a !== crashed())));
    expectUsage(usageOf(billing.spend.waste.models), crashed());
    expectUsage(usageOf(billing.spend.useful.models), passed);
    expect(billing.spend.byReason.map((r: any) => [r.reason, r.attempts])).toEqual([['error', 1]]);
    expectUsage(usageOf(billing.spend.byReason[0].models), crashed());
    expect(billing.spend).toMatchObject({ useful: { attempts: 2 }, waste: { attempts: 1 }, running: { attempts: 0, models: [] } });
    expect(billing.steps[1].attempts.map((a: any) => a.spendKind)).toEqual(['error', 'useful']);
    expect(billing.steps[0].spend.waste).toMatchObject({ attempts: 0, models: [] });
    expect(data.tasks[0].spend.waste).toMatchObject({ attempts: 0, models: [] });
    expectUsage(usageOf(data.totals.spend.waste.models), crashed());
    const all = totalOf(want.all).costUsd!;
    expect(data.totals.costPerPassedTask).toEqual({
      usd: expect.closeTo(all / 2, 10),
      status: 'known',
      spentUsd: expect.closeTo(all, 10),
      tasksDone: 2,
    });
    expect(data.sequence.costPerPassedTask).toMatchObject({ usd: expect.closeTo(all / 2, 10), status: 'known', tasksDone: 2 });

    // sequence.state.json keeps the split per model beside its totals
    const sequence = await project.sequenceState();
    expectUsage(sequence.stats.wasteTokenUsage, crashed());
    expect(sequence.stats.wasteCostUsd).toBeCloseTo(totalOf(crashed()).costUsd!, 10);
    expect(sequence.stats.usefulCostUsd + sequence.stats.wasteCostUsd).toBeCloseTo(sequence.stats.totalCostUsd, 10);
  });
});

describe('bad input', () => {
  it('a task that does not exist: exit 2, named, nothing on stdout', async () => {
    for (const args of [
      ['status', 'tasks/missing.md'],
      ['status', 'tasks/missing.md', '--json'],
    ]) {
      const run = await project.run(args);
      expect(run.exitCode).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe('claude-project: tasks/missing.md: no such task file or folder.');
    }
  });

  it('a state file that does not parse, or is not a state: exit 2, names the file and what is wrong, leaves it as it was', async () => {
    const file = project.taskStateFile('02-billing');
    const good = await readFile(file, 'utf8');
    const cases: Array<[string, RegExp]> = [
      [good.slice(0, 200), /state file cannot be parsed \(.*JSON.*\)/],
      ['{"hello": "world"}\n', /not a valid state file \(version: expected version 1, got nothing\)/],
      [
        good.replace('"inputTokens": 1500', '"inputTokens": "1500"'),
        /not a valid state file \(steps\[0\]\.attempts\[0\]\.usage\["claude-opus-4-1"\]\.inputTokens: expected a number, got string "1500"\)/,
      ],
    ];
    try {
      for (const [text, reason] of cases) {
        await writeFile(file, text);
        for (const args of [['status'], ['status', 'tasks', '--json'], ['status', BILLING]]) {
          const run = await project.run(args);
          expect(run.exitCode).toBe(2);
          expect(run.stdout).toBe('');
          expect(run.stderr).toContain(`claude-project: ${file}: `);
          expect(run.stderr).toMatch(reason);
          expect(run.stderr).not.toMatch(/\n\s+at /); // a message, not a stack
        }
        expect(await readFile(file, 'utf8')).toBe(text);
      }
    } finally {
      await writeFile(file, good);
    }
  });

  it('a corrupt sequence state: exit 2, named', async () => {
    const file = project.sequenceStateFile;
    const good = await readFile(file, 'utf8');
    try {
      await writeFile(file, good.slice(0, 50));
      const run = await project.run(['status', 'tasks']);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`claude-project: ${file}: state file cannot be parsed`);
    } finally {
      await writeFile(file, good);
    }
  });

  it('a project where nothing ran yet says so (exit 0)', async () => {
    const fresh = await Project.create({ config: { pipeline: [{ name: 'plan', prompt: 'Plan' }] }, tasks: { 'tasks/a.md': 'A\n' } });
    const all = await fresh.run(['status']);
    expect([all.exitCode, all.stdout]).toEqual([0, 'No task state found: nothing has run yet.']);
    const folder = await fresh.run(['status', 'tasks']);
    expect(folder.exitCode).toBe(0);
    expect(folder.stdout).toContain('tasks/a.md: not run yet');
  });
});
