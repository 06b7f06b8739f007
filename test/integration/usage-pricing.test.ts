/**
 * Costs and provenance through the built CLI: a model with no price has an unknown cost (never
 * $0), an attempt that billed nothing does not make its step "estimate", and the raw log alone
 * rebuilds what recovery found after a kill -9 (recount never lowers a number with a less exact one).
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  Project,
  SONNET,
  alive,
  assistant,
  billed,
  cleanup,
  config,
  expectUsage,
  fromModelUsage,
  init,
  markers,
  priced,
  result,
  snapshot,
  sumUsage,
  waitFor,
  type ApiUsage,
  type Attempt,
} from './helpers.js';
import { validator } from '../report/schema.js';

afterAll(cleanup);

const UNPRICED = 'claude-sonnet-9';
const okUsage = { [SONNET]: billed(700, 80, 0, 0, 0.0033) };
const ok: Attempt = {
  lines: [init('ok'), ...assistant({ id: 'm_ok', model: SONNET, usage: snapshot(7), blocks: 1 }), result({ modelUsage: okUsage })],
};

describe('a model missing from the price table', () => {
  const unpricedCall: Attempt = {
    lines: [
      init('u', UNPRICED),
      ...assistant({ id: 'm_u', model: UNPRICED, usage: snapshot(100_000), blocks: 1 }),
      result({ modelUsage: { [UNPRICED]: billed(100_000, 0, 0, 0, 0) } }),
    ],
  };
  const warning = `warning: no price for ${UNPRICED}: cost unknown (add it under \`pricing:\` in claude-project.yaml)`;

  it.concurrent('costs "unknown" (null), never $0: in the state, the footer, status, run --json and status --json, with a warning naming it', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', model: UNPRICED, prompt: 'WORK' }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [unpricedCall] },
    });
    const run = await project.run(['run', 'tasks/t.md', '--json', '--quiet']);
    expect(run.exitCode).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(validator('run-summary')(summary)).toEqual([]);
    expect(summary.models).toEqual([expect.objectContaining({ model: UNPRICED, inputTokens: 100_000, costUsd: null, claudeCostUsd: 0 })]);
    expect(summary.total.costUsd).toBeNull();

    const state = await project.taskState('t');
    expect(state.tokenUsage[UNPRICED].costUsd).toBeNull();
    expect(state.totalCostUsd).toBeNull();
    const { log } = await project.stepLogs('t', 0, 'work');
    expect(log).toContain(`${UNPRICED}: input 100,000 · output 0 · cache write 0 · cache read 0 · unknown`);
    expect(log).toContain('total: input 100,000 · output 0 · cache write 0 · cache read 0 · unknown (source: result)');
    expect(log).toContain(warning);

    const status = await project.run(['status', 'tasks/t.md']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('t (tasks/t.md): done · unknown');
    expect(status.stdout).toContain(warning);
    expect(status.stdout).not.toContain('$0.0000');
    const json = JSON.parse((await project.run(['status', 'tasks/t.md', '--json'])).stdout);
    expect(validator('status')(json)).toEqual([]);
    expect(json.totals.total.costUsd).toBeNull();
  });

  it.concurrent('is priced by a `pricing:` entry in the config (recount --fix reprices what ran); a bad entry is exit 2 naming the key', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', model: UNPRICED, prompt: 'WORK' }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [unpricedCall] },
    });
    expect((await project.run(['run', 'tasks/t.md'])).exitCode).toBe(0);
    await project.writeConfig(
      config([{ name: 'work', model: UNPRICED, prompt: 'WORK' }], { pricing: { [UNPRICED]: { input: 2, output: 10 } } }),
    );
    expect((await project.run(['recount', '--fix'])).exitCode).toBe(0);
    // 100,000 input tokens at $2 per million
    expect((await project.taskState('t')).totalCostUsd).toBeCloseTo(0.2, 10);

    await project.writeConfig(config([{ name: 'work', prompt: 'WORK' }], { pricing: { [UNPRICED]: { input: 'cheap', output: 10 } } }));
    const bad = await project.run(['status']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain(`pricing["${UNPRICED}"].input: expected a number, got string "cheap"`);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('an attempt that billed nothing', () => {
  it.concurrent('has source none, and its step and task take the source of the attempts that billed (result)', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'WORK', check: { command: 'true', retries: 1 } }]),
      tasks: { 'tasks/t.md': 'x\n' },
      // claude fails before any request: no line, exit 1; the retry is billed
      scenario: { attempts: [{ lines: [], exitCode: 1 }, ok] },
    });
    expect((await project.run(['run', 'tasks/t.md'])).exitCode).toBe(0);
    const state = await project.taskState('t');
    const [failed, passed] = state.steps[0].attempts;
    expect(failed).toMatchObject({ outcome: 'claude-failed', usage: {}, usageSource: 'none' });
    expect(passed.usageSource).toBe('result');
    expect(state.steps[0].usageSource).toBe('result');
    const { log } = await project.stepLogs('t', 0, 'work');
    expect(log).toMatch(/\(source: result\)\noutcome: done/);
    const json = JSON.parse((await project.run(['status', 'tasks/t.md', '--json'])).stdout);
    expect(json.tasks[0].usageSource).toBe('result');
    expect(json.tasks[0].steps[0].usageSource).toBe('result');
    expect(json.tasks[0].steps[0].attempts.map((a: { usageSource: string }) => a.usageSource)).toEqual(['none', 'result']);
  });
});

describe('recount after a kill -9', () => {
  const started = snapshot(40, 100, 200);
  const final: ApiUsage = { input_tokens: 40, output_tokens: 520, cache_creation_input_tokens: 100, cache_read_input_tokens: 200 };

  /** A task whose one attempt was recovered from Claude Code's transcript after a kill -9, then re-run; then ~/.claude removed. */
  async function recoveredProject(): Promise<Project> {
    const transcript = {
      sessionId: 'sess-k',
      lines: [{ type: 'assistant', requestId: 'req_k', message: { id: 'm_k', model: SONNET, usage: final }, sessionId: 'sess-k' }],
    };
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'WORK' }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [
          { lines: [init('sess-k'), ...assistant({ id: 'm_k', model: SONNET, usage: started, blocks: 2 })], hang: true, transcript },
          ok,
        ],
      },
    });
    const rawLog = `${project.stepLogBase('t', 0, 'work')}.jsonl`;
    const cli = project.start(['run', 'tasks/t.md']);
    await waitFor(
      'the stream in the raw log',
      async () => existsSync(rawLog) && (await readFile(rawLog, 'utf8')).includes('"type":"assistant"'),
    );
    await waitFor(
      'the pid of claude in the state',
      async () => (await project.taskState('t').catch(() => undefined))?.steps?.[0]?.attempts?.[0]?.pid !== undefined,
    );
    cli.kill('SIGKILL');
    await cli;
    const [call] = await project.calls();
    try {
      expect((await project.run(['run', 'tasks/t.md'])).exitCode).toBe(0);
    } finally {
      if (alive(call!.pid)) process.kill(call!.pid, 'SIGKILL');
    }
    const lost = (await project.taskState('t')).steps[0].attempts[0];
    expect(lost.usageSource).toBe('transcript');
    expect(lost.usage[SONNET].outputTokens).toBe(final.output_tokens);
    await rm(path.join(project.home, '.claude'), { recursive: true, force: true });
    return project;
  }

  it.concurrent('the raw log alone rebuilds the recovered attempt: recovery marks its attempt_end, recount finds no difference', async () => {
    const project = await recoveredProject();
    const { jsonl } = await project.stepLogs('t', 0, 'work');
    expect(
      markers(jsonl)
        .filter((m) => m.attempt === 1)
        .map((m) => [m.event, m.usageSource]),
    ).toEqual([
      ['attempt_start', undefined],
      ['attempt_end', 'transcript'],
    ]);
    const recount = await project.run(['recount']);
    expect(recount.stdout).toContain('State files match the raw logs.');
    expect(recount.exitCode).toBe(0);
    const fix = await project.run(['recount', '--fix']);
    expect(fix.exitCode).toBe(0);
    expectUsage((await project.taskState('t')).tokenUsage, sumUsage(priced(SONNET, final), fromModelUsage(okUsage)));
  });

  it.concurrent('--fix never writes a number from a less exact source: a raw log without the recovery marker is reported, not written', async () => {
    const project = await recoveredProject();
    // a raw log as it was before recovery was marked: no end for the killed attempt
    const rawLog = `${project.stepLogBase('t', 0, 'work')}.jsonl`;
    const lines = (await readFile(rawLog, 'utf8')).split('\n');
    await writeFile(rawLog, lines.filter((l) => !(l.includes('"event":"attempt_end"') && l.includes('"recovered":true'))).join('\n'));
    const before = await readFile(project.taskStateFile('t'), 'utf8');

    const fix = await project.run(['recount', '--fix']);
    expect(fix.stdout).toContain(
      `  work attempt 1 ${SONNET} outputTokens: state ${final.output_tokens}, raw log ${started.output_tokens} (kept: the state's numbers come from transcript, the raw log gives only estimate)`,
    );
    expect(await readFile(project.taskStateFile('t'), 'utf8')).toBe(before);
    expectUsage((await project.taskState('t')).steps[0].attempts[0].usage, priced(SONNET, final));
  });
});
