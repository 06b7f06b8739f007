// Metrics over OTLP/HTTP, sent to a local collector that decodes what arrives: the counters'
// sums equal the totals of the state files, on every exit code, and a collector that refuses
// them costs one warning line, never the run.
import { readFileSync } from 'node:fs';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import {
  OPUS,
  Project,
  REPO,
  SONNET,
  type Attempt,
  alive,
  assistant,
  billed,
  cleanup,
  config,
  init,
  markedCalls,
  result,
  snapshot,
  waitFor,
} from './helpers.js';

afterAll(cleanup);

/** A model no price source knows, billed without Claude Code's costUSD: its cost is unknown. */
const UNPRICED = 'claude-sonnet-9';

interface AttemptRecord {
  outcome: string;
  usage: Record<string, UsageRecord>;
}
interface UsageRecord {
  inputTokens: number;
  outputTokens: number;
  cacheCreation5mInputTokens: number;
  cacheCreation1hInputTokens: number;
  cacheReadInputTokens: number;
  costUsd: number | null;
}
interface TaskStateRecord {
  taskName: string;
  steps: Array<{ name: string; attempts: AttemptRecord[] }>;
  tokenUsage: Record<string, UsageRecord>;
}

const TOKEN_TYPES: Array<[string, (u: UsageRecord) => number]> = [
  ['input', (u) => u.inputTokens],
  ['output', (u) => u.outputTokens],
  ['cache_write_5m', (u) => u.cacheCreation5mInputTokens],
  ['cache_write_1h', (u) => u.cacheCreation1hInputTokens],
  ['cache_read', (u) => u.cacheReadInputTokens],
];

function add(totals: Record<string, number>, key: string, value: number): void {
  if (value !== 0) totals[key] = (totals[key] ?? 0) + value;
}

/** What the counters must hold, worked out from the task states alone. */
function expectedFrom(states: TaskStateRecord[]) {
  const tokens: Record<string, number> = {};
  const unpriced: Record<string, number> = {};
  const cost: Record<string, number> = {};
  const attempts: Record<string, number> = {};
  for (const state of states) {
    // the task's totals, type by type: what `status` shows
    for (const [model, usage] of Object.entries(state.tokenUsage)) {
      for (const [type, count] of TOKEN_TYPES) add(tokens, `${model}|${type}`, count(usage));
    }
    for (const step of state.steps) {
      for (const attempt of step.attempts) {
        add(attempts, `${state.taskName}|${step.name}|${attempt.outcome}`, 1);
        for (const [model, usage] of Object.entries(attempt.usage)) {
          if (usage.costUsd === null) for (const [type, count] of TOKEN_TYPES) add(unpriced, `${model}|${type}`, count(usage));
          else add(cost, `${state.taskName}|${step.name}|${model}|${attempt.outcome === 'passed' ? 'useful' : 'waste'}`, usage.costUsd);
        }
      }
    }
  }
  return { tokens, unpriced, cost, attempts };
}

function expectCountersToMatch(receiver: OtlpReceiver, states: TaskStateRecord[]): void {
  const expected = expectedFrom(states);
  expect(Object.keys(expected.tokens).length).toBeGreaterThan(0);
  expect(receiver.totals('claude_project.tokens', ['model', 'type'])).toEqual(expected.tokens);
  expect(receiver.totals('claude_project.unpriced_tokens', ['model', 'type'])).toEqual(expected.unpriced);
  expect(receiver.totals('claude_project.attempts', ['task', 'step', 'outcome'])).toEqual(expected.attempts);
  const cost = receiver.totals('claude_project.cost_usd', ['task', 'step', 'model', 'kind']);
  expect(Object.keys(cost).sort()).toEqual(Object.keys(expected.cost).sort());
  for (const [key, usd] of Object.entries(expected.cost)) expect(cost[key]).toBeCloseTo(usd, 12);
}

function call(id: string, model: string, extra: Partial<Attempt> = {}, models: Record<string, ReturnType<typeof billed>> = {}): Attempt {
  return {
    lines: [
      init(`sess-${id}`, model),
      ...assistant({ id: `msg_${id}`, model, usage: snapshot(100), blocks: 1 }),
      result({ modelUsage: { [model]: billed(1_000 + id.length, 200, 300, 4_000, 0.0123), ...models } }),
    ],
    ...extra,
  };
}

/** A call billed partly to a model nobody prices: no costUSD, no total. */
function unpricedCall(id: string): Attempt {
  const unpriced: Record<string, number> = { ...billed(700, 70, 0, 0, 0) };
  delete unpriced.costUSD;
  const end = result({ modelUsage: { [SONNET]: billed(500, 50, 0, 1_000, 0.004), [UNPRICED]: unpriced as ReturnType<typeof billed> } });
  delete end.total_cost_usd;
  return { lines: [init(`sess-${id}`, SONNET), ...assistant({ id: `msg_${id}`, model: SONNET, usage: snapshot(10), blocks: 1 }), end] };
}

const PIPELINE = [
  { name: 'plan', model: OPUS, prompt: 'Plan {{taskName}}', check: { command: 'test -f "$CLAUDE_PROJECT_TASK_NAME.ok"', retries: 1 } },
  { name: 'build', prompt: 'Build {{taskName}}' },
];

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await OtlpReceiver.start();
});
afterEach(async () => {
  await receiver.close();
});

/** The environment that sends metrics to the receiver as JSON. */
const otlpJson = (): Record<string, string> => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
});

describe('metrics of a sequence', () => {
  it('add up to the state files: tokens by model and type, cost useful and waste, unpriced tokens, attempts by outcome', async () => {
    const project = await Project.create({
      config: config(PIPELINE),
      tasks: { 'tasks/a.md': 'A\n', 'tasks/b.md': 'B\n' },
      scenario: {
        attempts: [
          call('a-plan-1', OPUS), // the check fails: waste
          call('a-plan-2', OPUS, { writeFiles: { 'a.ok': '' } }),
          unpricedCall('a-build'),
          call('b-plan-1', OPUS, { writeFiles: { 'b.ok': '' } }),
          call('b-build', SONNET),
        ],
      },
    });
    const res = await project.run(['sequence', 'tasks'], { env: otlpJson() });
    expect(res.exitCode).toBe(0);
    expect(res.stderr).not.toContain('warning');
    const states = [(await project.taskState('tasks/a.md')) as TaskStateRecord, (await project.taskState('tasks/b.md')) as TaskStateRecord];
    expectCountersToMatch(receiver, states);
    // the check's failure is waste, its re-run useful; the unpriced model has no cost at all
    const kinds = receiver.totals('claude_project.cost_usd', ['kind', 'model']);
    expect(Object.keys(kinds).sort()).toEqual([`useful|${OPUS}`, `useful|${SONNET}`, `waste|${OPUS}`]);
    expect(receiver.totals('claude_project.unpriced_tokens', ['model'])).toEqual({ [UNPRICED]: 770 });
    expect(receiver.requests.every((request) => request.path === '/v1/metrics' && request.method === 'POST')).toBe(true);

    const { version } = JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8')) as { version: string };
    const resources = receiver.series().map((series) => series.resource);
    expect(new Set(resources.map((r) => r['service.instance.id'])).size).toBe(1);
    expect(resources[0]).toEqual(
      expect.objectContaining({
        'service.name': 'claude-project',
        'service.version': version,
        'service.instance.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
    );
    expect(receiver.series().some((series) => 'shard' in series.attributes)).toBe(false);
  });

  it('from two shards run side by side never collide: each process has its own service.instance.id and its shard', async () => {
    // one copy of the project per shard, as on two machines, both sending to one collector
    const shards = await Promise.all(
      [1, 2].map(() =>
        Project.create({
          config: config([{ name: 'work', prompt: 'Work' }]),
          tasks: { 'tasks/a.md': 'A\n', 'tasks/b.md': 'B\n' },
          scenario: { attempts: [call('one', SONNET)] },
        }),
      ),
    );
    const runs = await Promise.all(
      shards.map((project, i) => project.run(['sequence', 'tasks', '--shard', `${i + 1}/2`], { env: otlpJson() })),
    );
    expect(runs.map((run) => run.exitCode)).toEqual([0, 0]);
    const series = receiver.series().filter((s) => s.metric === 'claude_project.attempts');
    expect(series.map((s) => [s.attributes.shard, s.attributes.task]).sort()).toEqual([
      ['1/2', 'a'],
      ['2/2', 'b'],
    ]);
    expect(new Set(series.map((s) => s.resource['service.instance.id'])).size).toBe(2);
    const states = [
      (await shards[0]!.taskState('tasks/a.md')) as TaskStateRecord,
      (await shards[1]!.taskState('tasks/b.md')) as TaskStateRecord,
    ];
    expectCountersToMatch(receiver, states);
  });
});

describe('metrics are delivered whatever the exit code', () => {
  it('1: a step failed', async () => {
    const project = await Project.create({
      config: config([{ name: 'plan', prompt: 'Plan', check: { command: 'false' } }]),
      tasks: { 'tasks/t.md': 'T\n' },
      scenario: { attempts: [call('fail', SONNET)] },
    });
    const res = await project.run(['run', 'tasks/t.md'], { env: otlpJson() });
    expect(res.exitCode).toBe(1);
    expectCountersToMatch(receiver, [(await project.taskState('tasks/t.md')) as TaskStateRecord]);
    expect(receiver.totals('claude_project.cost_usd', ['kind'])).toEqual({ waste: expect.any(Number) });
  });

  it('3: a usage limit it may not wait for', async () => {
    const project = await Project.create({
      config: config([{ name: 'plan', prompt: 'Plan' }], { rateLimit: { wait: false } }),
      tasks: { 'tasks/t.md': 'T\n' },
      scenario: {
        attempts: [
          {
            lines: [
              init('sess-limit', SONNET),
              ...assistant({ id: 'msg_limit', model: SONNET, usage: snapshot(100), blocks: 1 }),
              {
                type: 'rate_limit_event',
                rate_limit_info: { status: 'rejected', resetsAt: Math.floor(Date.now() / 1000) + 3600, rateLimitType: 'five_hour' },
              },
              result({ modelUsage: { [SONNET]: billed(100, 10, 0, 0, 0.001) }, isError: true, text: 'Claude AI usage limit reached' }),
            ],
            exitCode: 1,
          },
        ],
      },
    });
    const res = await project.run(['run', 'tasks/t.md'], { env: otlpJson() });
    expect(res.exitCode).toBe(3);
    const state = (await project.taskState('tasks/t.md')) as TaskStateRecord;
    expectCountersToMatch(receiver, [state]);
    expect(receiver.totals('claude_project.attempts', ['outcome'])).toEqual({ [state.steps[0]!.attempts[0]!.outcome]: 1 });
  });

  it('4: a budget cap reached', async () => {
    const project = await Project.create({
      config: config([
        { name: 'plan', prompt: 'Plan' },
        { name: 'build', prompt: 'Build' },
      ]),
      tasks: { 'tasks/t.md': 'T\n' },
      scenario: { attempts: [call('spend', SONNET)] },
    });
    const res = await project.run(['run', 'tasks/t.md', '--max-usd', '0.001'], { env: otlpJson() });
    expect(res.exitCode).toBe(4);
    const state = (await project.taskState('tasks/t.md')) as TaskStateRecord;
    expectCountersToMatch(receiver, [state]);
  });

  it('130: interrupted while claude runs', async () => {
    const project = await Project.create({
      config: config([{ name: 'plan', prompt: 'Plan' }]),
      tasks: { 'tasks/t.md': 'T\n' },
      scenario: {
        attempts: [
          {
            lines: [
              init('sess-int', SONNET),
              ...assistant({ id: 'msg_int', model: SONNET, usage: snapshot(5_000, 100, 0, 40), blocks: 1 }),
              { $park: true },
            ],
          },
        ],
      },
    });
    const running = project.start(['run', 'tasks/t.md'], { env: otlpJson() });
    await waitFor('claude parked', () => markedCalls(project).length === 1);
    running.kill('SIGINT');
    const res = await running;
    expect(res.exitCode).toBe(130);
    const state = (await project.taskState('tasks/t.md')) as TaskStateRecord;
    expect(state.steps[0]!.attempts[0]!.outcome).toBe('interrupted');
    expectCountersToMatch(receiver, [state]);
  });
});

describe('attempts no run of this process finished recording are counted too', () => {
  it('an unexpected error in the middle of a step (stream): the failed attempt is in the metrics as in the state', async () => {
    const project = await Project.create({
      config: config([{ name: 'plan', prompt: 'Plan' }]),
      tasks: { 'tasks/t.md': 'T\n' },
      scenario: { attempts: [call('crash', SONNET)] },
    });
    const res = await project.run(['run', 'tasks/t.md'], { env: { ...otlpJson(), CLAUDE_PROJECT_TEST_CRASH: 'stream' } });
    expect(res.exitCode).toBe(1);
    const state = (await project.taskState('tasks/t.md')) as TaskStateRecord;
    expect(state.steps[0]!.attempts.map((a) => a.outcome)).toEqual(['failed']);
    expect(Object.keys(state.tokenUsage)).toEqual([SONNET]);
    expectCountersToMatch(receiver, [state]);
  });

  it('a run killed (SIGKILL) while claude ran: the next run recovers that attempt and sends it with its own', async () => {
    const project = await Project.create({
      config: config([{ name: 'plan', prompt: 'Plan' }]),
      tasks: { 'tasks/t.md': 'T\n' },
      scenario: {
        attempts: [
          {
            lines: [
              init('sess-killed', SONNET),
              ...assistant({ id: 'msg_killed', model: SONNET, usage: snapshot(3_000, 50, 0, 20), blocks: 1 }),
              { $park: true },
            ],
          },
          call('resumed', SONNET),
        ],
      },
    });
    const killed = project.start(['run', 'tasks/t.md'], { env: otlpJson() });
    await waitFor('claude parked', () => markedCalls(project).length === 1);
    // once its pid is in the state, the next run can stop the claude a kill -9 leaves running
    await waitFor('the pid of claude in the state', async () => {
      const state = (await project.taskState('tasks/t.md').catch(() => undefined)) as
        | { steps?: Array<{ attempts?: Array<{ pid?: number }> }> }
        | undefined;
      return state?.steps?.[0]?.attempts?.[0]?.pid !== undefined;
    });
    killed.kill('SIGKILL');
    await killed;
    const [orphan] = await project.calls();
    let res: Awaited<ReturnType<Project['run']>>;
    try {
      res = await project.run(['run', 'tasks/t.md'], { env: otlpJson() });
      expect(alive(orphan!.pid)).toBe(false);
    } finally {
      if (alive(orphan!.pid)) process.kill(orphan!.pid, 'SIGKILL');
    }
    expect(res.exitCode).toBe(0);
    const state = (await project.taskState('tasks/t.md')) as TaskStateRecord;
    expect(state.steps[0]!.attempts.map((a) => a.outcome)).toEqual(['interrupted', 'passed']);
    expect(Object.values(state.steps[0]!.attempts[0]!.usage).some((u) => u.inputTokens > 0)).toBe(true);
    expectCountersToMatch(receiver, [state]);
  });
});
