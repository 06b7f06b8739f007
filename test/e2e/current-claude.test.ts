// End to end on both real Claude Code versions the tests carry (2.1.197 pinned, 2.1.332 the
// newest): a subagent's 1-hour cache writes priced exactly, and a message claude is stopped in
// the middle of (billed by the API, never printed whole) counted. The full matrix of
// claude-project.test.ts runs on 2.1.197; these scenarios run on both.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { taskFileName, waitFor } from '../integration/helpers.js';
import { countsOf, e2eProject, recordFigures, servedCounts, type Counts, type E2eProject } from './harness.js';
import { CLAUDE_PACKAGES, type ClaudeVersion } from './real-claude.js';
import type { FakeScript } from '../../examples/fake-api/server.mjs';

type Usage = Counts & { costUsd: number; cacheCreation1hInputTokens: number; cacheCreation5mInputTokens: number };
interface TaskState {
  phase: string;
  tokenUsage: Record<string, Usage>;
  steps: Array<{
    name: string;
    attempts: Array<{
      outcome: string;
      usageSource: string;
      usage: Record<string, Usage>;
      subagents?: Array<{ toolUseId: string | null; agentId: string; usage: Record<string, Usage> }>;
    }>;
  }>;
}

/** The four counts of some of the requests the fake API served, added up. */
function requestCounts(requests: E2eProject['api']['requests']): Counts {
  const sum = (field: 'input_tokens' | 'output_tokens' | 'cache_creation_input_tokens' | 'cache_read_input_tokens') =>
    requests.reduce((n, r) => n + (r.usage?.[field] ?? 0), 0);
  return {
    inputTokens: sum('input_tokens'),
    outputTokens: sum('output_tokens'),
    cacheCreationInputTokens: sum('cache_creation_input_tokens'),
    cacheReadInputTokens: sum('cache_read_input_tokens'),
  };
}

const config = (pipeline: string): string =>
  `model: claude-sonnet-4-5\nclaude:\n  args: ["--allowedTools", "Bash,Read,Task,Agent"]\npipeline:\n${pipeline}`;
const assistantTurns = (body: { messages?: unknown[] }): number =>
  (body.messages ?? []).filter((m) => (m as { role?: string }).role === 'assistant').length;

/** List price per million tokens, input and output, of the models these scripts serve. */
const LIST: Record<string, [number, number]> = { 'claude-sonnet-4-5': [3, 15], 'claude-haiku-4-5': [1, 5] };
function listPrice(model: string, u: Usage): number {
  const [input, output] = LIST[Object.keys(LIST).find((m) => model.startsWith(m)) ?? ''] ?? [NaN, NaN];
  const fiveMinute = u.cacheCreationInputTokens - u.cacheCreation1hInputTokens;
  return (
    (u.inputTokens * input +
      u.outputTokens * output +
      fiveMinute * input * 1.25 +
      u.cacheCreation1hInputTokens * input * 2 +
      u.cacheReadInputTokens * input * 0.1) /
    1_000_000
  );
}

let project: E2eProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

describe.each(Object.keys(CLAUDE_PACKAGES) as ClaudeVersion[])('Claude Code %s', (claude) => {
  test("a subagent that writes 1-hour cache entries: every model's split and cost at list price", async () => {
    const oneHour = (writes: number) => ({ cache_creation_input_tokens: writes, cache_creation: { ephemeral_1h_input_tokens: writes } });
    const script: FakeScript = (body, context) => {
      if (context.isSideRequest) return { blocks: [{ type: 'text', text: 'title' }], usage: { input_tokens: 30, output_tokens: 4 } };
      if (body.model.includes('haiku'))
        return {
          blocks: [{ type: 'text', text: 'hi from the helper' }],
          usage: { input_tokens: 310, output_tokens: 7, ...oneHour(1_433) },
        };
      return assistantTurns(body) === 0
        ? {
            blocks: [
              { type: 'text', text: 'Delegating.' },
              { type: 'tool_use', name: 'Task', input: { description: 'Say hi', prompt: 'Say hi.', subagent_type: 'helper' } },
            ],
            usage: { input_tokens: 2_200, output_tokens: 55, ...oneHour(3_100) },
          }
        : {
            blocks: [{ type: 'text', text: 'The helper said hi.' }],
            usage: { input_tokens: 140, output_tokens: 9, cache_read_input_tokens: 3_100 },
          };
    };
    project = await e2eProject(
      {
        'claude-project.yaml': config('  - name: delegate\n    prompt: Ask the helper agent to say hi, then report.\n'),
        '.claude/agents/helper.md': '---\nname: helper\ndescription: Says hi when asked.\nmodel: claude-haiku-4-5\n---\nYou say hi.\n',
        'tasks/helper.md': 'Delegate.\n',
      },
      script,
      { claude },
    );
    const result = await project.run(['run', 'tasks/helper.md']);
    expect(result.exitCode).toBe(0);
    const served = project.api.served;
    const haiku = Object.keys(served).find((m) => m.includes('haiku'))!;
    expect(served[haiku]?.cacheCreation1hInputTokens).toBe(1_433); // the subagent really wrote 1-hour entries
    const state = await project.readJson<TaskState>(`.claude-project/state/${taskFileName('tasks/helper.md')}.state.json`);
    expect(state.steps[0]?.attempts[0]?.usageSource).toBe('result');
    expect(countsOf(state.tokenUsage)).toEqual(servedCounts(project.api));
    for (const [model, row] of Object.entries(served)) {
      const usage = state.tokenUsage[model]!;
      expect(usage.cacheCreation1hInputTokens).toBe(row.cacheCreation1hInputTokens);
      expect(Math.abs(usage.costUsd - listPrice(model, usage))).toBeLessThan(1e-6);
    }
    // per subagent: the Haiku subagent's usage is what the API served its requests, request by
    // request; it and the main thread add up to the attempt's billed usage
    const attempt = state.steps[0]!.attempts[0]!;
    const subagentRequests = project.api.requests.filter((r) => r.path === '/v1/messages' && r.model === haiku && !r.side);
    expect(subagentRequests.length).toBeGreaterThan(0);
    expect(attempt.subagents).toHaveLength(1);
    const [subagent] = attempt.subagents!;
    expect(subagent!.toolUseId).toMatch(/^toolu_/);
    expect(countsOf(subagent!.usage)).toEqual({ [haiku]: requestCounts(subagentRequests) });
    const status = JSON.parse((await project.run(['status', 'tasks/helper.md', '--json'])).stdout);
    const shown = status.tasks[0].steps[0].attempts[0];
    expect(shown.subagents.map((s: { toolUseId: string }) => s.toolUseId)).toEqual([subagent!.toolUseId]);
    const mainRequests = project.api.requests.filter((r) => r.path === '/v1/messages' && !subagentRequests.includes(r));
    const mainServed: Record<string, Counts> = {};
    for (const model of new Set(mainRequests.map((r) => r.model!))) {
      mainServed[model] = requestCounts(mainRequests.filter((r) => r.model === model));
    }
    const mainThread = Object.fromEntries(shown.mainThread.models.map((row: Usage & { model: string }) => [row.model, row]));
    expect(countsOf(mainThread)).toEqual(mainServed);
    // recount rebuilds the same split from the raw log alone, the transcripts gone
    await rm(path.join(project.home, '.claude', 'projects'), { recursive: true });
    const recount = await project.run(['recount', 'tasks/helper.md']);
    expect(recount.stdout).toContain('State files match the raw logs.');
    expect(recount.exitCode).toBe(0);
    await recordFigures(`subagent 1-hour cache (${claude})`, servedCounts(project.api), countsOf(state.tokenUsage));
  });

  test('claude stopped in the middle of a streamed response: the message the API billed is counted, to the token', async () => {
    let stalls = 0;
    let stalled: { messageId: string } | undefined;
    const script: FakeScript = (body, context) => {
      if (context.isSideRequest) return { blocks: [{ type: 'text', text: 'title' }], usage: { input_tokens: 30, output_tokens: 4 } };
      const turn = assistantTurns(body);
      if (turn === 0)
        return {
          blocks: [
            { type: 'text', text: 'Running it.' },
            { type: 'tool_use', name: 'Bash', input: { command: 'echo step-one', description: 'echo' } },
          ],
          usage: { input_tokens: 1_510, output_tokens: 61, cache_creation_input_tokens: 2_048 },
        };
      const answer = { blocks: [{ type: 'text' as const, text: 'All done now.' }] };
      const usage = { input_tokens: 377, output_tokens: 23, cache_creation_input_tokens: 64, cache_read_input_tokens: 2_048 };
      return stalls++ === 0 ? { ...answer, usage, stall: true } : { ...answer, usage };
    };
    project = await e2eProject(
      { 'claude-project.yaml': config('  - name: work\n    prompt: Do it.\n'), 'tasks/stall.md': 'Stall.\n' },
      script,
      { claude, onStall: (s) => (stalled = s) },
    );
    const raw = path.join(project.dir, `.claude-project/logs/${taskFileName('tasks/stall.md')}/01-work.jsonl`);
    const first = project.start(['run', 'tasks/stall.md']);
    await waitFor('the fake API to stall a response', () => stalled !== undefined, 120_000);
    // claude has printed the message's start (the raw log is its stdout), nothing more of it
    await waitFor('the stalled message in the raw log', async () =>
      (await readFile(raw, 'utf8').catch(() => '')).includes(stalled!.messageId),
    );
    first.kill('SIGKILL'); // claude-project dies; its claude stays, stuck in the response
    await first;
    const resumed = await project.run(['run', 'tasks/stall.md']);
    expect(resumed.exitCode).toBe(0);
    expect(project.api.requests.filter((r) => r.stalled)).toHaveLength(1);
    const state = await project.readJson<TaskState>(`.claude-project/state/${taskFileName('tasks/stall.md')}.state.json`);
    const [killed] = state.steps[0]!.attempts;
    expect(killed?.outcome).toBe('interrupted');
    expect(countsOf(state.tokenUsage)).toEqual(servedCounts(project.api));
    await rm(path.join(project.home, '.claude', 'projects'), { recursive: true });
    const recount = await project.run(['recount', 'tasks/stall.md']);
    expect(recount.stdout).toContain('State files match the raw logs.');
    expect(recount.exitCode).toBe(0);
    await recordFigures(`stopped mid-response (${claude})`, servedCounts(project.api), countsOf(state.tokenUsage));
  });
});
