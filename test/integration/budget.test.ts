// Budgets: USD caps per step, task and sequence, the forecast before every step, the stop inside
// a call, resume after raising a cap, and bad caps. Expected amounts are worked out here from
// the scenario's own numbers (list prices in helpers.ts), never read back from the code.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  HAIKU,
  SONNET,
  Project,
  assistant,
  billed,
  cleanup,
  config,
  init,
  priced,
  rateLimitEvent,
  result,
  snapshot,
  sumUsage,
  totalOf,
  type ApiUsage,
  type Attempt,
  knownCost,
} from './helpers.js';

afterAll(cleanup);

/**
 * A call that ends normally and bills `costUsd`: on Haiku 4.5 ($1 per million input tokens at
 * list price), costUsd × 1,000,000 input tokens.
 */
function paid(id: string, costUsd: number): Attempt {
  const input = Math.round(costUsd * 1_000_000);
  return {
    lines: [
      init(`sess-${id}`),
      ...assistant({ id: `msg_${id}`, model: HAIKU, usage: snapshot(input, 0, 0, 0), blocks: 1 }),
      result({ modelUsage: { [HAIKU]: billed(input, 0, 0, 0, costUsd) } }),
    ],
  };
}

/** Each message's final usage as the API bills it: 10,000 input tokens ($0.03 at list price) and 5 output. */
const MESSAGE: ApiUsage = { input_tokens: 10_000, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
const MESSAGE_USD = knownCost(totalOf(priced(SONNET, MESSAGE)).costUsd);

/**
 * A long call: `count` messages, each billed (transcript entry) as it is printed; the next comes
 * only once claude-project has handled this one (its text is in the step's log, so a stop it
 * decided on has been sent). It never ends by itself, so only a stop ends it.
 */
function longCall(count: number): Attempt {
  const lines: Attempt['lines'] = [init('sess-long')];
  for (let i = 1; i <= count; i++) {
    const id = `msg_long_${i}`;
    lines.push({ $bill: { id, model: SONNET, usage: MESSAGE } });
    lines.push(...assistant({ id, model: SONNET, usage: snapshot(MESSAGE.input_tokens), blocks: 1 }));
    lines.push({ $waitForLog: `${id} part 1` });
  }
  return { lines, hang: true, honourSessionId: true } as Attempt;
}

async function billedMessages(project: Project): Promise<Array<{ call: number; id: string; usage: ApiUsage }>> {
  const file = path.join(project.recordDir, 'billed.jsonl');
  if (!existsSync(file)) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { call: number; id: string; usage: ApiUsage });
}

const argAfter = (argv: string[], flag: string): string | undefined => {
  const at = argv.indexOf(flag);
  return at === -1 ? undefined : argv[at + 1];
};

const oneStep = (extra: Record<string, unknown> = {}) => config([{ name: 'work', prompt: 'Work' }], extra);

describe('caps', () => {
  it.concurrent('task cap (--max-usd on run): claude gets what is left, our own count stops it after the response that crosses it; exit 4', async () => {
    const project = await Project.create({
      config: oneStep(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [longCall(5)] },
    });
    const res = await project.run(['run', 'tasks/t.md', '--max-usd', '0.05']);
    expect(res.exitCode).toBe(4);
    const [call] = await project.calls();
    expect(argAfter(call!.argv, '--max-budget-usd')).toBe('0.05');
    const messages = await billedMessages(project);
    // $0.03 per message: the second one passes $0.05; claude is stopped before a third.
    expect(messages.map((m) => m.id)).toEqual(['msg_long_1', 'msg_long_2']);
    const state = await project.taskState('t');
    expect(state.phase).toBe('budget-exceeded');
    expect(state.steps[0].status).toBe('budget-exceeded');
    const attempt = state.steps[0].attempts[0];
    expect(attempt.outcome).toBe('budget');
    // Billed is billed: every message the API billed is counted, final output included.
    expect(attempt.usageSource).toBe('transcript');
    const spent = knownCost(totalOf(sumUsage(...messages.map((m) => priced(SONNET, m.usage)))).costUsd);
    expect(state.totalCostUsd).toBeCloseTo(spent, 9);
    expect(spent - 0.05).toBeGreaterThan(0);
    expect(spent - 0.05).toBeLessThanOrEqual(MESSAGE_USD);
    expect(state.budget.stop).toEqual({
      scope: 'task',
      capUsd: 0.05,
      source: '--max-usd',
      spentUsd: expect.any(Number),
      forecastUsd: null,
      step: 'work',
      stage: 'in-call',
    });
    expect(state.budget.stop.spentUsd).toBeCloseTo(spent, 9);
    const log = await readFile(`${project.stepLogBase('t', 0, 'work')}.log`, 'utf8');
    expect(log).toContain(
      `outcome: budget-exceeded (budget: the task cap $0.0500 (--max-usd) was reached in step work: spent $${spent.toFixed(4)}, no forecast)`,
    );
    expect(res.stdout).toContain(
      `budget: the task cap $0.0500 (--max-usd) was reached in step work: spent $${spent.toFixed(4)}, no forecast`,
    );
  });

  it.concurrent("step cap (budget.stepUsd): claude's own --max-budget-usd stop (error_max_budget_usd) is a budget stop, its usage kept", async () => {
    const overCap: Attempt = {
      lines: [
        init('sess-own'),
        ...assistant({ id: 'msg_own', model: SONNET, usage: snapshot(100), blocks: 1 }),
        result({ modelUsage: { [SONNET]: billed(6_000, 400, 0, 0, 0.024) }, isError: true, subtype: 'error_max_budget_usd' }),
      ],
      exitCode: 1,
    };
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work', check: { command: 'true', retries: 3 } }], { budget: { stepUsd: 0.02 } }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [overCap] },
    });
    const res = await project.run(['run', 'tasks/t.md', '--json', '--quiet']);
    expect(res.exitCode).toBe(4);
    expect(await project.calls()).toHaveLength(1); // a budget stop is not retried
    expect(argAfter((await project.calls())[0]!.argv, '--max-budget-usd')).toBe('0.02');
    const state = await project.taskState('t');
    expect(state.steps[0].attempts[0].outcome).toBe('budget');
    expect(state.totalCostUsd).toBeCloseTo(0.024, 9);
    expect(state.budget.stop).toMatchObject({ scope: 'step', capUsd: 0.02, source: 'budget.stepUsd', step: 'work', stage: 'in-call' });
    const summary = JSON.parse(res.stdout);
    expect(summary.phase).toBe('budget-exceeded');
    expect(summary.exitCode).toBe(4);
    expect(summary.budget.caps).toEqual([{ scope: 'step', step: 'work', capUsd: 0.02, source: 'budget.stepUsd', spentUsd: 0.024 }]);
    expect(summary.steps).toEqual([
      {
        name: 'work',
        status: 'budget-exceeded',
        forecast: { usd: null, maxUsd: null, basis: 'none', samples: 0 },
        actualUsd: 0.024,
        provenance: 'result',
      },
    ]);
  });

  it.concurrent('pipeline[].budgetUsd wins over budget.stepUsd for its step', async () => {
    const project = await Project.create({
      config: config([{ name: 'plan', prompt: 'Plan' }, { name: 'work', prompt: 'Work', budgetUsd: 0.5 } as never], {
        budget: { stepUsd: 0.2 },
      }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [paid('a', 0.01)] },
    });
    expect((await project.run(['run', 'tasks/t.md'])).exitCode).toBe(0);
    const calls = await project.calls();
    expect(calls.map((c) => argAfter(c.argv, '--max-budget-usd'))).toEqual(['0.2', '0.5']);
  });

  it.concurrent('sequence cap: the third task is refused by its forecast; raising the cap with --max-usd resumes at it, the first two not re-run', async () => {
    const project = await Project.create({
      config: oneStep({ budget: { sequenceUsd: 0.05 } }),
      tasks: { 'tasks/01-a.md': 'a\n', 'tasks/02-b.md': 'b\n', 'tasks/03-c.md': 'c\n' },
      scenario: { attempts: [paid('a', 0.02), paid('b', 0.02), paid('c', 0.02)] },
    });
    const first = await project.run(['sequence', 'tasks']);
    expect(first.exitCode).toBe(4);
    expect(await project.calls()).toHaveLength(2);
    const third = await project.taskState('03-c');
    expect(third.phase).toBe('budget-exceeded');
    expect(third.steps[0].attempts).toEqual([]);
    // Its forecast: the same step's two finished attempts, $0.02 each.
    expect(third.steps[0].forecast).toEqual({ usd: 0.02, maxUsd: 0.02, basis: 'earlier-attempts', samples: 2 });
    expect(third.budget.stop).toEqual({
      scope: 'sequence',
      capUsd: 0.05,
      source: 'budget.sequenceUsd',
      spentUsd: 0.04,
      forecastUsd: 0.02,
      step: 'work',
      stage: 'forecast',
    });
    const sequence = await project.sequenceState();
    expect(sequence.phase).toBe('budget-exceeded');
    expect(sequence.budget.stop.scope).toBe('sequence');
    expect(first.stdout).toContain(
      'budget: step work not started: spent $0.0400 + forecast $0.0200 would pass the sequence cap $0.0500 (budget.sequenceUsd)',
    );

    const status = await project.run(['status', '--json']);
    const data = JSON.parse(status.stdout);
    expect(data.sequence.budget.caps).toEqual([
      { scope: 'sequence', step: null, capUsd: 0.05, source: 'budget.sequenceUsd', spentUsd: 0.04 },
    ]);
    expect(data.tasks[2].steps[0].provenance).toBe('forecast');
    const text = await project.run(['status']);
    expect(text.stdout).toContain('budget: sequence $0.0400 / $0.0500 (budget.sequenceUsd)');

    const again = await project.run(['sequence', 'tasks', '--max-usd', '0.5']);
    expect(again.exitCode).toBe(0);
    const calls = await project.calls();
    expect(calls).toHaveLength(3);
    // What is left under the raised cap: 0.5 - 0.04.
    expect(argAfter(calls[2]!.argv, '--max-budget-usd')).toBe('0.46');
    expect((await project.taskState('03-c')).phase).toBe('done');
    const done = await project.sequenceState();
    expect(done.phase).toBe('done');
    expect(done.stats.totalCostUsd).toBeCloseTo(0.06, 9);
    expect(done.budget.caps).toEqual([{ scope: 'sequence', usd: 0.5, source: '--max-usd' }]);
    // Forecast vs actual per step: the forecast ($0.02 from two samples) against the $0.02 billed.
    const after = (await project.run(['status', 'tasks/03-c.md'])).stdout.split('\n');
    const table = after.indexOf('  forecast vs actual (USD)');
    expect(table).toBeGreaterThan(0);
    expect(after.slice(table + 1, table + 3).map((l) => l.trim().split(/ {2,}/))).toEqual([
      ['step', 'forecast', 'max', 'samples', 'actual', 'source', 'error'],
      ['work', '$0.0200', '$0.0200', '2', '$0.0200', 'result', '0%'],
    ]);
    // The HTML report shows the same forecast vs actual.
    expect((await project.run(['report', '--html', 'report.html', 'tasks/03-c.md'])).exitCode).toBe(0);
    const html = await readFile(path.join(project.dir, 'report.html'), 'utf8');
    expect(html).toContain('<h4>Forecast vs actual per step (USD)</h4>');
    expect(html).toContain(
      '<td>work</td><td class="num">$0.0200</td><td class="num">$0.0200</td><td class="num">2</td><td class="num">$0.0200</td><td>result</td><td class="num">0%</td>',
    );
  });

  it.concurrent('--keep-going: a sequence cap that stops the sequence after a failed task is its exit code (4) and its summary', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work', check: { command: 'grep -q good "$CLAUDE_PROJECT_TASK_PATH"' } }], {
        budget: { sequenceUsd: 0.03 },
      }),
      tasks: { 'tasks/01-a.md': 'bad\n', 'tasks/02-b.md': 'good\n', 'tasks/03-c.md': 'good\n' },
      scenario: { attempts: [paid('a', 0.02)] },
    });
    const run = await project.run(['sequence', 'tasks', '--keep-going']);
    expect(await project.calls()).toHaveLength(1);
    expect(run.exitCode).toBe(4);
    expect((await project.sequenceState()).phase).toBe('budget-exceeded');
    expect(run.stdout).toContain('budget: step work not started: spent $0.0200 + forecast $0.0200 would pass the sequence cap $0.0300');
    expect(run.stdout).toContain('1 failed');
  });

  it.concurrent('a step refused by its forecast does not start: spent + forecast would pass the task cap', async () => {
    const project = await Project.create({
      config: oneStep(),
      tasks: { 'tasks/a.md': 'a\n', 'tasks/b.md': 'b\n' },
      scenario: { attempts: [paid('a', 0.03), paid('x', 0.01)] },
    });
    expect((await project.run(['run', 'tasks/a.md'])).exitCode).toBe(0);
    const res = await project.run(['run', 'tasks/b.md', '--max-usd', '0.02']);
    expect(res.exitCode).toBe(4);
    expect(await project.calls()).toHaveLength(1);
    const state = await project.taskState('b');
    expect(state.steps[0].forecast).toEqual({ usd: 0.03, maxUsd: 0.03, basis: 'earlier-attempts', samples: 1 });
    expect(state.steps[0].status).toBe('budget-exceeded');
    expect(state.budget.stop).toMatchObject({ scope: 'task', stage: 'forecast', spentUsd: 0, forecastUsd: 0.03 });
  });
});

describe('what counts toward a cap', () => {
  it.concurrent('retries: each failed attempt counts, and the next one is refused once spent + forecast passes the step cap', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work', check: { command: 'false', retries: 5 } }], { budget: { stepUsd: 0.05 } }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [paid('a', 0.02)] },
    });
    const res = await project.run(['run', 'tasks/t.md']);
    expect(res.exitCode).toBe(4);
    const calls = await project.calls();
    // 1st: $0.05 left; 2nd: $0.03 left; 3rd: 0.04 spent + forecast 0.02 > 0.05, refused.
    expect(calls.map((c) => argAfter(c.argv, '--max-budget-usd'))).toEqual(['0.05', '0.03']);
    const state = await project.taskState('t');
    expect(state.steps[0].attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['check-failed', 'check-failed']);
    expect(state.budget.stop).toMatchObject({ scope: 'step', stage: 'forecast', spentUsd: 0.04, forecastUsd: 0.02 });
  });

  it.concurrent('a usage-limit re-run: the refused attempt is counted, the re-run gets only what is left', async () => {
    const limited: Attempt = {
      lines: [
        init('sess-rl'),
        ...assistant({ id: 'msg_rl', model: HAIKU, usage: snapshot(30_000, 0, 0, 0), blocks: 1 }),
        // a reset long past: re-run after rateLimit.minWaitSeconds (0 here, so the test does not wait)
        rateLimitEvent(1),
        // $0.03 at Haiku's list price ($1 per million input tokens)
        result({ modelUsage: { [HAIKU]: billed(30_000, 0, 0, 0, 0.03) }, isError: true, text: "You've hit your limit" }),
      ],
      exitCode: 1,
    };
    const project = await Project.create({
      config: oneStep({ budget: { taskUsd: 0.04 }, rateLimit: { marginSeconds: 0, minWaitSeconds: 0 } }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [limited, paid('ok', 0.005)] },
    });
    const res = await project.run(['run', 'tasks/t.md']);
    expect(res.exitCode).toBe(0);
    const calls = await project.calls();
    expect(calls.map((c) => argAfter(c.argv, '--max-budget-usd'))).toEqual(['0.04', '0.01']);
    expect((await project.taskState('t')).totalCostUsd).toBeCloseTo(0.035, 9);
  });

  it.concurrent('re-running does not reset a cap: what earlier runs spent stays counted', async () => {
    const failing: Attempt = { ...paid('a', 0.03), exitCode: 1 };
    const project = await Project.create({
      config: oneStep({ budget: { taskUsd: 0.05 } }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [failing, paid('b', 0.01)] },
    });
    expect((await project.run(['run', 'tasks/t.md'])).exitCode).toBe(1);
    expect((await project.run(['run', 'tasks/t.md'])).exitCode).toBe(0);
    const calls = await project.calls();
    expect(calls.map((c) => argAfter(c.argv, '--max-budget-usd'))).toEqual(['0.05', '0.02']);
  });
});

describe('bad caps: exit 2 before anything runs', () => {
  const cases: Array<[string, Record<string, unknown>, string[], RegExp]> = [
    ['a zero cap', { budget: { taskUsd: 0 } }, [], /budget\.taskUsd: expected a positive number, got 0/],
    ['a negative step cap', { budget: { stepUsd: -1 } }, [], /budget\.stepUsd: expected a positive number, got -1/],
    ['a cap that is text', { budget: { sequenceUsd: 'lots' } }, [], /budget\.sequenceUsd: expected a number, got string "lots"/],
    ['--max-usd abc', {}, ['--max-usd', 'abc'], /^claude-project: --max-usd "abc": expected a positive number of US dollars/m],
    ['--max-usd 0', {}, ['--max-usd', '0'], /^claude-project: --max-usd "0": expected a positive number of US dollars/m],
    [
      'a cap on a model whose price is unknown',
      { model: 'my-own-model', budget: { taskUsd: 1 } },
      [],
      /model: my-own-model has no known price, so the cap budget\.taskUsd \(\$1\) cannot be checked for step work/,
    ],
  ];
  for (const [name, extra, flags, message] of cases) {
    it.concurrent(name, async () => {
      const project = await Project.create({
        config: oneStep(extra),
        tasks: { 'tasks/t.md': 'x\n' },
        scenario: { attempts: [paid('a', 0.01)] },
      });
      const res = await project.run(['run', 'tasks/t.md', ...flags]);
      expect(res.exitCode).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(await project.calls()).toEqual([]);
      expect(existsSync(project.stateDir)).toBe(false);
    });
  }

  it.concurrent('a cap of "abc" on one step names its line and key', async () => {
    const project = await Project.create({
      config: 'pipeline:\n  - name: work\n    prompt: Work\n    budgetUsd: abc\n',
      tasks: { 'tasks/t.md': 'x\n' },
    });
    const res = await project.run(['run', 'tasks/t.md']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('claude-project.yaml:4: pipeline[0].budgetUsd: expected a number, got string "abc"');
  });
});

describe('several processes under one sequence cap', () => {
  it.concurrent('two runs of different tasks: together they pass the cap by at most (processes − 1) × what was left + one response each', async () => {
    const CAP = 0.05;
    const project = await Project.create({
      config: oneStep({ budget: { sequenceUsd: CAP } }),
      tasks: { 'tasks/a.md': 'a\n', 'tasks/b.md': 'b\n' },
      scenario: { attempts: [longCall(6)] },
    });
    const [a, b] = await Promise.all([project.run(['run', 'tasks/a.md']), project.run(['run', 'tasks/b.md'])]);
    expect([a.exitCode, b.exitCode]).toEqual([4, 4]);
    const billedByCall = new Map<number, number>();
    for (const m of await billedMessages(project))
      billedByCall.set(m.call, (billedByCall.get(m.call) ?? 0) + knownCost(totalOf(priced(SONNET, m.usage)).costUsd));
    const total = [...billedByCall.values()].reduce((x, y) => x + y, 0);
    const states = [await project.taskState('a'), await project.taskState('b')];
    expect(states[0].totalCostUsd + states[1].totalCostUsd).toBeCloseTo(total, 9);
    // Each process alone stops within what it saw left (at most the cap) plus one response.
    for (const spent of billedByCall.values()) expect(spent).toBeLessThanOrEqual(CAP + MESSAGE_USD + 1e-9);
    // The README's bound for N processes: cap + (N − 1) × cap + N responses.
    expect(total).toBeLessThanOrEqual(CAP + (2 - 1) * CAP + 2 * MESSAGE_USD + 1e-9);
  });
});
