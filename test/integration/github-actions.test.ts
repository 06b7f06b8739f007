import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  HAIKU,
  OPUS,
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  formatCount,
  init,
  result,
  snapshot,
  usd,
  type Attempt,
  type BilledUsage,
  type ModelTokenUsage,
} from './helpers.js';

afterAll(cleanup);

const BILLED: Record<string, Record<string, BilledUsage>> = {
  a: { [SONNET]: billed(3_000, 50, 0, 7_000, 0.01185), [HAIKU]: billed(400, 40, 0, 0, 0.0006) },
  b: { [OPUS]: billed(2_000, 300, 500, 1_000, 0.0625) },
  c: { [SONNET]: billed(777, 77, 7, 0, 0.003497) },
};
const TASKS = { 'tasks/a.md': 'Task a\n', 'tasks/b.md': 'Task b\n', 'tasks/c.md': 'Task c\n' };

function call(name: string): Attempt {
  const billing = BILLED[name]!;
  return {
    lines: [
      init(`sess-${name}`),
      ...assistant({ id: `msg_${name}`, model: Object.keys(billing)[0]!, usage: snapshot(9), blocks: 2 }),
      result({ modelUsage: billing }),
    ],
  };
}

/** The files GitHub gives a step, in a folder of the project's temp base; the summary already holds an earlier step's text. */
async function githubFiles(project: Project): Promise<{ env: Record<string, string>; summary: string; output: string }> {
  const dir = path.join(project.base, 'github');
  await mkdir(dir, { recursive: true });
  const summary = path.join(dir, 'step_summary.md');
  const output = path.join(dir, 'output');
  await writeFile(summary, '# an earlier step\n\n');
  await writeFile(output, 'earlier=kept\n');
  return { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output }, summary, output };
}

/** $GITHUB_OUTPUT as GitHub reads it: `name=value` lines, or `name<<DELIM` … `DELIM` for multi-line values. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      expect(end).toBeGreaterThan(i);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const at = line.indexOf('=');
    expect(at).toBeGreaterThan(0);
    outputs[line.slice(0, at)] = line.slice(at + 1);
  }
  return outputs;
}

/** The outputs a step should set, computed here from a state file's per-model usage. */
function expectedOutputs(usage: ModelTokenUsage, phase: string, done: number, failed: number): Record<string, string> {
  const sum = (field: 'inputTokens' | 'outputTokens' | 'cacheCreationInputTokens' | 'cacheReadInputTokens') =>
    String(Object.values(usage).reduce((n, u) => n + u[field], 0));
  return {
    'input-tokens': sum('inputTokens'),
    'output-tokens': sum('outputTokens'),
    'cache-write-tokens': sum('cacheCreationInputTokens'),
    'cache-read-tokens': sum('cacheReadInputTokens'),
    'tasks-done': String(done),
    'tasks-failed': String(failed),
    phase,
    reconcile: '',
  };
}

function expectOutputs(outputs: Record<string, string>, usage: ModelTokenUsage, phase: string, done: number, failed: number): void {
  const { 'cost-usd': cost, 'cost-per-passed-task-usd': perTask, earlier, ...rest } = outputs;
  expect(earlier).toBe('kept');
  expect(rest).toEqual(expectedOutputs(usage, phase, done, failed));
  const costs = Object.values(usage).map((u) => u.costUsd!);
  expect(costs.length).toBeGreaterThan(0);
  const total = costs.reduce((a, b) => a + b, 0);
  expect(Number(cost)).toBeCloseTo(total, 9);
  // all that was spent over the tasks done; empty when none is done
  if (done === 0) expect(perTask).toBe('');
  else expect(Number(perTask)).toBeCloseTo(total / done, 9);
}

/** Each model's row of the summary table, as it should read from the state's numbers. */
function expectModelRows(summary: string, usage: ModelTokenUsage): void {
  for (const [model, u] of Object.entries(usage)) {
    const cells = [u.inputTokens, u.outputTokens, u.cacheCreationInputTokens, u.cacheReadInputTokens].map(formatCount);
    expect(summary).toContain(`| ${model} | ${cells.join(' | ')} | ${usd(u.costUsd)} |`);
  }
}

describe('under GitHub Actions (GITHUB_ACTIONS=true)', () => {
  it('sequence appends a job summary and step outputs equal to the sequence state totals', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'DO {{taskName}}' }]),
      tasks: TASKS,
      scenario: { attempts: ['a', 'b', 'c'].map(call) },
    });
    const github = await githubFiles(project);
    const run = await project.run(['sequence', 'tasks', '--json'], { env: github.env });
    expect(run.exitCode).toBe(0);
    // stdout stays the one JSON line
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const state = await project.sequenceState();
    expect(Object.keys(state.stats.totalTokenUsage).sort()).toEqual([HAIKU, OPUS, SONNET].sort());
    expectOutputs(parseOutputs(await readFile(github.output, 'utf8')), state.stats.totalTokenUsage, 'done', 3, 0);

    const summary = await readFile(github.summary, 'utf8');
    expect(summary.startsWith('# an earlier step\n\n')).toBe(true);
    expect(summary).toContain('### claude-project sequence tasks: done');
    expect(summary).toContain('3/3 task(s) done, 0 failed');
    expect(summary).toContain('| model | input | output | cache write | cache read | cost |');
    expectModelRows(summary, state.stats.totalTokenUsage);
    expect(summary).toContain('Not reconciled with the Admin API yet');
  }, 60_000);

  it('run of a task whose step fails: phase failed, tasks-failed 1, exit 1; outputs equal the task state totals', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'DO {{taskName}}', check: { command: 'exit 3', retries: 0 } }]),
      tasks: { 'tasks/a.md': 'Task a\n' },
      scenario: { attempts: [call('a')] },
    });
    const github = await githubFiles(project);
    const run = await project.run(['run', 'tasks/a.md'], { env: github.env });
    expect(run.exitCode).toBe(1);
    const state = await project.taskState('tasks/a.md');
    expect(state.phase).toBe('failed');
    expectOutputs(parseOutputs(await readFile(github.output, 'utf8')), state.tokenUsage, 'failed', 0, 1);
    const summary = await readFile(github.summary, 'utf8');
    expect(summary).toContain('### claude-project run tasks/a.md: failed');
    expectModelRows(summary, state.tokenUsage);
  }, 60_000);

  it('merge writes the merged totals', async () => {
    const shard = (index: number, names: string[]) =>
      Project.create({
        config: config([{ name: 'work', prompt: 'DO {{taskName}}' }]),
        tasks: TASKS,
        scenario: { attempts: names.map(call) },
      }).then(async (p) => {
        expect((await p.run(['sequence', 'tasks', '--shard', `${index}/2`])).exitCode).toBe(0);
        return p;
      });
    const shards = await Promise.all([shard(1, ['a', 'c']), shard(2, ['b'])]);
    const merged = await Project.create({ config: config([{ name: 'work', prompt: 'x' }]), tasks: TASKS });
    const github = await githubFiles(merged);
    const run = await merged.run(['merge', ...shards.map((p) => p.stateDir), '--into', merged.stateDir], { env: github.env });
    expect(run.exitCode).toBe(0);
    const state = await merged.sequenceState();
    expectOutputs(parseOutputs(await readFile(github.output, 'utf8')), state.stats.totalTokenUsage, 'done', 3, 0);
    const summary = await readFile(github.summary, 'utf8');
    expect(summary).toContain('### claude-project merge of shard(s) 1/2, 2/2: done');
    expectModelRows(summary, state.stats.totalTokenUsage);
    // every attempt passed: the merged spend is all useful, summed over the shards' tasks
    expect(state.stats.usefulTokenUsage).toEqual(state.stats.totalTokenUsage);
    expect(state.stats.wasteTokenUsage).toEqual({});
    expect(state.stats.usefulCostUsd).toBe(state.stats.totalCostUsd);
    expect(state.stats.wasteCostUsd).toBe(0);
    expect(summary).toContain('#### Useful vs waste');
  }, 60_000);

  it('a summary or outputs file that cannot be written is a warning: exit code and state unchanged', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'DO {{taskName}}' }]),
      tasks: { 'tasks/a.md': 'Task a\n' },
      scenario: { attempts: [call('a')] },
    });
    const folder = path.join(project.base, 'a-folder');
    await mkdir(folder);
    const run = await project.run(['run', 'tasks/a.md'], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: folder, GITHUB_OUTPUT: undefined },
    });
    expect(run.exitCode).toBe(0);
    expect((await project.taskState('tasks/a.md')).phase).toBe('done');
    expect(run.stderr).toContain(`claude-project: warning: ${folder}: cannot write the job summary (GITHUB_STEP_SUMMARY)`);
    expect(run.stderr).toContain('GITHUB_ACTIONS is true but GITHUB_OUTPUT is not set, so the step outputs cannot be written.');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('outside GitHub Actions nothing is written to those files', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'DO {{taskName}}' }]),
      tasks: { 'tasks/a.md': 'Task a\n' },
      scenario: { attempts: [call('a')] },
    });
    const summary = path.join(project.base, 'summary.md');
    const run = await project.run(['run', 'tasks/a.md'], { env: { GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: summary } });
    expect(run.exitCode).toBe(0);
    expect(existsSync(summary)).toBe(false);
  }, 60_000);
});
