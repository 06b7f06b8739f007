// End to end: claude-project driving the real Claude Code CLI (pinned devDependency) against a
// fake Messages API that knows exactly what it served. Every count must match to the token.
import { taskFileName } from '../integration/helpers.js';
import {
  countsOf,
  e2eProject,
  e2eScript,
  footerCounts,
  measureRealClaudeMs,
  recordFigures,
  servedCounts,
  type Counts,
  type E2eProject,
} from './harness.js';

const config = (pipeline: string, extra = ''): string =>
  `model: claude-sonnet-4-5\nclaude:\n  args: ["--allowedTools", "Bash,Read,Edit,Write"]\n${extra}pipeline:\n${pipeline}`;

interface TaskState {
  phase: string;
  tokenUsage: Record<string, Counts & { costUsd: number }>;
  totalCostUsd: number;
  steps: Array<{ name: string; status: string; usageSource: string; usage: Record<string, Counts & { costUsd: number }> }>;
}

let project: E2eProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

/**
 * List price (USD per million tokens) of what the fake API served: it reports no cache-write
 * split, so every write is a 5-minute one (1.25x input); reads are 0.1x input.
 */
function listPrice(model: string, u: Counts): number {
  const [input, output] = model.startsWith('claude-sonnet-4')
    ? [3, 15]
    : model.startsWith('claude-haiku-4')
      ? [1, 5]
      : model.startsWith('claude-opus-4-1')
        ? [15, 75]
        : model.startsWith('claude-opus-4')
          ? [5, 25]
          : [NaN, NaN];
  return (
    (u.inputTokens * input + u.outputTokens * output + u.cacheCreationInputTokens * input * 1.25 + u.cacheReadInputTokens * input * 0.1) /
    1_000_000
  );
}

function expectCostsAtListPrice(usage: Record<string, Counts & { costUsd: number }>): void {
  for (const [model, u] of Object.entries(usage)) expect(u.costUsd).toBeCloseTo(listPrice(model, u), 10);
}

test('a plain answer: state and footer equal what the API served', async () => {
  project = await e2eProject(
    {
      'claude-project.yaml': config('  - name: answer\n    prompt: Answer briefly.\n'),
      'tasks/hello.md': 'Say hello.\n',
    },
    e2eScript,
  );
  const result = await project.run(['run', 'tasks/hello.md']);
  expect(result.exitCode).toBe(0);
  const served = servedCounts(project.api);
  expect(Object.keys(served)).toEqual(['claude-sonnet-4-5']);
  const state = await project.readJson<TaskState>(`.claude-project/state/${taskFileName('tasks/hello.md')}.state.json`);
  expect(state.phase).toBe('done');
  expect(state.steps[0]?.usageSource).toBe('result');
  expect(countsOf(state.tokenUsage)).toEqual(served);
  expectCostsAtListPrice(state.tokenUsage);
  expect(footerCounts(await project.readText(`.claude-project/logs/${taskFileName('tasks/hello.md')}/01-answer.log`))).toEqual(served);
  await recordFigures('plain answer', served, countsOf(state.tokenUsage));
});

test('a Bash tool loop whose messages have several content blocks is counted once per message', async () => {
  project = await e2eProject(
    {
      'claude-project.yaml': config(
        '  - name: build\n    prompt: "Run this:\\n$ echo hello-e2e > out.txt"\n    check:\n      command: grep -q hello-e2e out.txt\n',
      ),
      'tasks/tool.md': 'Use the tool.\n',
    },
    e2eScript,
  );
  const result = await project.run(['run', 'tasks/tool.md']);
  expect(result.exitCode).toBe(0);
  const raw = await project.readText(`.claude-project/logs/${taskFileName('tasks/tool.md')}/01-build.jsonl`);
  const ids = raw
    .split('\n')
    .filter((l) => l.startsWith('{"type":"assistant"'))
    .map((l) => (JSON.parse(l) as { message: { id: string } }).message.id);
  expect(new Set(ids).size).toBeLessThan(ids.length); // the trap is really there
  const served = servedCounts(project.api);
  expect(project.api.requests.filter((r) => r.path === '/v1/messages' && !r.side)).toHaveLength(2);
  const state = await project.readJson<TaskState>(`.claude-project/state/${taskFileName('tasks/tool.md')}.state.json`);
  expect(countsOf(state.tokenUsage)).toEqual(served);
  expect(footerCounts(await project.readText(`.claude-project/logs/${taskFileName('tasks/tool.md')}/01-build.log`))).toEqual(served);
  await recordFigures('Bash tool loop', served, countsOf(state.tokenUsage));
});

test('a two-step pipeline on two models: each step and model exact', async () => {
  project = await e2eProject(
    {
      'claude-project.yaml': config(
        '  - name: plan\n    model: claude-opus-4-1\n    prompt: Plan {{taskName}}.\n' +
          '  - name: implement\n    model: claude-haiku-4-5\n    prompt: "Implement {{taskName}}:\\n$ echo done"\n',
      ),
      'tasks/two.md': 'Two steps.\n',
    },
    e2eScript,
  );
  const result = await project.run(['run', 'tasks/two.md']);
  expect(result.exitCode).toBe(0);
  const served = servedCounts(project.api);
  // The CLI picks the model id it sends (2.1.197 sends claude-opus-4-1 as a newer Opus):
  // what counts is the model each request was served as, never the configured name.
  const opus = Object.keys(served).find((m) => m.startsWith('claude-opus-4'))!;
  expect(Object.keys(served).sort()).toEqual(['claude-haiku-4-5', opus]);
  const state = await project.readJson<TaskState>(`.claude-project/state/${taskFileName('tasks/two.md')}.state.json`);
  const [plan, implement] = state.steps;
  expect(countsOf(plan!.usage)).toEqual({ [opus]: served[opus] });
  expect(countsOf(implement!.usage)).toEqual({ 'claude-haiku-4-5': served['claude-haiku-4-5'] });
  expect(countsOf(state.tokenUsage)).toEqual(served);
  expectCostsAtListPrice(state.tokenUsage);
  expect(state.totalCostUsd).toBeCloseTo(
    Object.entries(served).reduce((sum, [model, counts]) => sum + listPrice(model, counts), 0),
    10,
  );
  expect(footerCounts(await project.readText(`.claude-project/logs/${taskFileName('tasks/two.md')}/01-plan.log`))).toEqual({
    [opus]: served[opus],
  });
  expect(footerCounts(await project.readText(`.claude-project/logs/${taskFileName('tasks/two.md')}/02-implement.log`))).toEqual({
    'claude-haiku-4-5': served['claude-haiku-4-5'],
  });
  await recordFigures('two steps on two models', served, countsOf(state.tokenUsage));
});

test('a sequence of two tasks: sequence totals equal what was served; a second run adds nothing', async () => {
  project = await e2eProject(
    {
      'claude-project.yaml': config('  - name: work\n    prompt: "Do {{taskName}}:\\n$ echo {{taskName}}"\n'),
      'tasks/01-first.md': 'First.\n',
      'tasks/02-second.md': 'Second.\n',
    },
    e2eScript,
  );
  const result = await project.run(['sequence', 'tasks']);
  expect(result.exitCode).toBe(0);
  const served = servedCounts(project.api);
  const sequence = await project.readJson<{
    completedTasks: string[];
    stats: { totalTokenUsage: Record<string, Counts & { costUsd: number }>; tasksCompleted: number };
  }>('.claude-project/state/sequence.state.json');
  expect(sequence.completedTasks).toEqual(['tasks/01-first.md', 'tasks/02-second.md']);
  expect(countsOf(sequence.stats.totalTokenUsage)).toEqual(served);
  const first = await project.readJson<TaskState>(`.claude-project/state/${taskFileName('tasks/01-first.md')}.state.json`);
  const second = await project.readJson<TaskState>(`.claude-project/state/${taskFileName('tasks/02-second.md')}.state.json`);
  const model = 'claude-sonnet-4-5';
  expect(first.tokenUsage[model]!.outputTokens + second.tokenUsage[model]!.outputTokens).toBe(served[model]!.outputTokens);

  const requestsBefore = project.api.requests.length;
  const again = await project.run(['sequence', 'tasks']);
  expect(again.exitCode).toBe(0);
  expect(project.api.requests.length).toBe(requestsBefore);
  const after = await project.readJson<typeof sequence>('.claude-project/state/sequence.state.json');
  expect(countsOf(after.stats.totalTokenUsage)).toEqual(served);
  await recordFigures('sequence of two tasks', served, countsOf(after.stats.totalTokenUsage));
});

test('a call that hangs after two tool turns: after the timeout, the state holds exactly the two turns, output included', async () => {
  const hangingScript: typeof e2eScript = (body, context) => {
    const turn = (body.messages ?? []).filter((m) => (m as { role?: string }).role === 'assistant').length;
    if (context.isSideRequest) return e2eScript(body, context);
    if (turn >= 2) return { hang: 'before-headers' };
    return {
      blocks: [
        { type: 'text', text: `Turn ${turn}.` },
        { type: 'tool_use', name: 'Bash', input: { command: `echo turn-${turn}`, description: 'echo' } },
      ],
      usage: { input_tokens: 700 + turn, output_tokens: 46 + turn, cache_creation_input_tokens: 300, cache_read_input_tokens: turn * 300 },
    };
  };
  // two tool turns must fit in the timeout however loaded the machine: sized from claude's start-up
  const seconds = Math.max(12, Math.ceil((20 * (await measureRealClaudeMs())) / 1000));
  project = await e2eProject(
    {
      'claude-project.yaml': config('  - name: slow\n    prompt: Work on it.\n', `timeoutSeconds: ${seconds}\n`),
      'tasks/hang.md': 'Hang.\n',
    },
    hangingScript,
  );
  const result = await project.run(['run', 'tasks/hang.md']);
  expect(result.exitCode).toBe(1);
  const completed = project.api.requests.filter((r) => r.path === '/v1/messages' && !r.side && r.completed);
  expect(completed).toHaveLength(2);
  const served = servedCounts(project.api);
  const state = await project.readJson<TaskState & { steps: Array<{ attempts: Array<{ outcome: string; usageSource: string }> }> }>(
    `.claude-project/state/${taskFileName('tasks/hang.md')}.state.json`,
  );
  const attempt = state.steps[0]!.attempts[0]!;
  expect(attempt.outcome).toBe('timeout');
  expect(attempt.usageSource).toBe('transcript');
  expect(countsOf(state.tokenUsage)).toEqual(served);
  // the stream alone would have said 1 output token per message
  const raw = await project.readText(`.claude-project/logs/${taskFileName('tasks/hang.md')}/01-slow.jsonl`);
  expect(raw).toContain('"output_tokens":1,');
  const log = await project.readText(`.claude-project/logs/${taskFileName('tasks/hang.md')}/01-slow.log`);
  expect(log).toContain(`outcome: failed (timeout after ${seconds}s)`);
  expect(footerCounts(log)).toEqual(served);
  await recordFigures('hang after two tool turns, timeout', served, countsOf(state.tokenUsage));
});
