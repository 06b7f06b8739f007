/**
 * Useful vs wasted spend, end to end with the fake claude: a step whose check fails once and
 * then passes wastes exactly its first attempt, as the fake claude billed it; `status`,
 * `status --json`, sequence.state.json and the GitHub Actions summary and outputs all say so.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  HAIKU,
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectUsage,
  fromModelUsage,
  init,
  knownCost,
  result,
  snapshot,
  sumUsage,
  totalOf,
  usd,
  type Attempt,
  type BilledUsage,
} from './helpers.js';

afterAll(cleanup);

const call = (session: string, modelUsage: Record<string, BilledUsage>, extra: Partial<Attempt> = {}): Attempt => ({
  lines: [init(session), ...assistant({ id: `msg_${session}`, model: SONNET, usage: snapshot(12), blocks: 2 }), result({ modelUsage })],
  ...extra,
});

// the first attempt also ran a Haiku subagent: its waste is per model
const FIRST = { [SONNET]: billed(1_000, 100, 200, 3_000, 0.0066), [HAIKU]: billed(500, 50, 0, 0, 0.00075) };
const SECOND = { [SONNET]: billed(1_200, 150, 0, 4_000, 0.00705) };

async function githubFiles(project: Project): Promise<{ env: Record<string, string>; summary: string; output: string }> {
  const dir = path.join(project.base, 'github');
  await mkdir(dir, { recursive: true });
  const summary = path.join(dir, 'step_summary.md');
  const output = path.join(dir, 'output');
  await writeFile(summary, '');
  await writeFile(output, '');
  return { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output }, summary, output };
}

const outputsOf = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

describe('useful vs wasted spend', () => {
  it.concurrent('a check that fails once then passes: the waste is the first attempt, to the token and the cent', async () => {
    const project = await Project.create({
      config: config([{ name: 'build', prompt: 'Build it', check: { command: 'test -f {{taskName}}.ok', retries: 2 } }]),
      tasks: { 'tasks/t.md': 'task\n' },
      scenario: { attempts: [call('a1', FIRST), call('a2', SECOND, { writeFiles: { 't.ok': 'yes' } })] },
    });
    const github = await githubFiles(project);
    const run = await project.run(['run', 'tasks/t.md'], { env: github.env });
    expect(run.exitCode).toBe(0);

    const wasted = fromModelUsage(FIRST);
    const useful = fromModelUsage(SECOND);
    const wastedUsd = knownCost(totalOf(wasted).costUsd);
    const allUsd = wastedUsd + knownCost(totalOf(useful).costUsd);
    const sentence = `2 attempts; 1 failed check cost ${usd(wastedUsd)} of ${usd(allUsd)}`;

    const data = JSON.parse((await project.run(['status', 'tasks/t.md', '--json'])).stdout);
    const spend = data.tasks[0].spend;
    const perModel = (rows: Array<{ model: string }>) => Object.fromEntries(rows.map(({ model, ...u }) => [model, u]));
    expectUsage(perModel(spend.waste.models), wasted);
    expectUsage(perModel(spend.useful.models), useful);
    expect(spend.byReason.map((r: { reason: string; attempts: number }) => [r.reason, r.attempts])).toEqual([['check-failed', 1]]);
    expectUsage(perModel(spend.byReason[0].models), wasted);
    expect(spend.waste.total.costUsd).toBeCloseTo(wastedUsd, 9);
    expect(spend.sentence).toBe(sentence);
    expect(data.tasks[0].steps[0].attempts.map((a: { spendKind: string }) => a.spendKind)).toEqual(['check-failed', 'useful']);
    expect(data.totals.costPerPassedTask).toMatchObject({ status: 'known', tasksDone: 1 });
    expect(data.totals.costPerPassedTask.usd).toBeCloseTo(allUsd, 9);

    const text = (await project.run(['status', 'tasks/t.md'])).stdout;
    expect(text).toContain(`\n  ${sentence}\n`);
    expect(text).toContain(`cost per passed task: ${usd(allUsd)} (${usd(allUsd)} over 1 done)`);

    const summary = await readFile(github.summary, 'utf8');
    expect(summary).toContain('#### Useful vs waste');
    expect(summary).toContain(`Waste: 1 failed check ${usd(wastedUsd)}. Cost per passed task: ${usd(allUsd)} (1 done).`);
    const tokens = (u: (typeof wasted)[string] | undefined) =>
      u ? (u.inputTokens + u.outputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens).toLocaleString('en-US') : '0';
    expect(summary).toContain(`| ${HAIKU} | 0 | $0.0000 | ${tokens(wasted[HAIKU])} | ${usd(wasted[HAIKU]!.costUsd)} |`);
    expect(summary).toContain(
      `| ${SONNET} | ${tokens(useful[SONNET])} | ${usd(useful[SONNET]!.costUsd)} | ${tokens(wasted[SONNET])} | ${usd(wasted[SONNET]!.costUsd)} |`,
    );
    expect(Number(outputsOf(await readFile(github.output, 'utf8'))['cost-per-passed-task-usd'])).toBeCloseTo(allUsd, 9);
  });

  it.concurrent('a sequence: its state keeps useful and waste per model; cost per passed task is all spent over the tasks done', async () => {
    const FAIL = { [SONNET]: billed(300, 30, 0, 0, 0.00135) };
    const project = await Project.create({
      config: config([{ name: 'build', prompt: 'Build {{taskName}}', check: { command: 'test -f {{taskName}}.ok', retries: 1 } }]),
      tasks: { 'tasks/a.md': 'a\n', 'tasks/b.md': 'b\n' },
      scenario: {
        attempts: [call('a1', FIRST), call('a2', SECOND, { writeFiles: { 'a.ok': 'yes' } }), call('b1', FAIL), call('b2', FAIL)],
      },
    });
    const github = await githubFiles(project);
    const run = await project.run(['sequence', 'tasks', '--keep-going'], { env: github.env });
    expect(run.exitCode).toBe(1);
    const state = await project.sequenceState();
    const wasted = sumUsage(fromModelUsage(FIRST), fromModelUsage(FAIL), fromModelUsage(FAIL));
    expectUsage(state.stats.wasteTokenUsage, wasted);
    expectUsage(state.stats.usefulTokenUsage, fromModelUsage(SECOND));
    expect(state.stats.wasteCostUsd).toBeCloseTo(knownCost(totalOf(wasted).costUsd), 9);
    expect(state.stats.usefulCostUsd + state.stats.wasteCostUsd).toBeCloseTo(state.stats.totalCostUsd, 9);
    expect(state.tasks.map((t: { phase: string }) => t.phase)).toEqual(['done', 'failed']);

    const allUsd = state.stats.totalCostUsd;
    expect(Number(outputsOf(await readFile(github.output, 'utf8'))['cost-per-passed-task-usd'])).toBeCloseTo(allUsd, 9);
    const summary = await readFile(github.summary, 'utf8');
    expect(summary).toContain(`Cost per passed task: ${usd(allUsd)} (1 done).`);

    const data = JSON.parse((await project.run(['status', 'tasks', '--json'])).stdout);
    expect(data.sequence.costPerPassedTask).toMatchObject({ status: 'known', tasksDone: 1 });
    expect(data.sequence.costPerPassedTask.usd).toBeCloseTo(allUsd, 9);
    expect(data.tasks[1].spend.sentence).toBe(
      `2 attempts; 2 failed checks cost ${usd(2 * knownCost(totalOf(fromModelUsage(FAIL)).costUsd))} of ${usd(2 * knownCost(totalOf(fromModelUsage(FAIL)).costUsd))}`,
    );
  });

  it.concurrent('no task done: cost per passed task is none yet, and its output is empty', async () => {
    const FAIL = { [SONNET]: billed(300, 30, 0, 0, 0.00135) };
    const project = await Project.create({
      config: config([{ name: 'build', prompt: 'Build', check: { command: 'false' } }]),
      tasks: { 'tasks/a.md': 'a\n' },
      scenario: { attempts: [call('a1', FAIL)] },
    });
    const github = await githubFiles(project);
    expect((await project.run(['run', 'tasks/a.md'], { env: github.env })).exitCode).toBe(1);
    expect(outputsOf(await readFile(github.output, 'utf8'))['cost-per-passed-task-usd']).toBe('');
    const text = (await project.run(['status', 'tasks/a.md'])).stdout;
    expect(text).toContain(`cost per passed task: none yet (no task done, ${usd(totalOf(fromModelUsage(FAIL)).costUsd)} spent)`);
    const data = JSON.parse((await project.run(['status', 'tasks/a.md', '--json'])).stdout);
    expect(data.totals.costPerPassedTask).toMatchObject({ usd: null, status: 'no-task-done', tasksDone: 0 });
  });
});
