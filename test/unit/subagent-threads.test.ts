/**
 * Per subagent: each subagent call of an attempt, from its own transcript, tied to the Task tool
 * use the stream named for it; the main thread is the rest. On the stream recorded from Claude
 * Code 2.1.332 (test/fixtures/2.1.332/subagent-second-model.jsonl), whose `task_started` line ties
 * agent ae2bb4496e7b2999b to tool use toolu_bf8be57989d405c652a580ed; its subagent transcript
 * (not recorded) is written here with what the API served that subagent (the .served.json).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseStreamLine } from '../../src/claude/parse-line.js';
import { transcriptDir } from '../../src/claude/transcript.js';
import { CallObserver } from '../../src/pipeline/call-observer.js';
import { attemptThreads } from '../../src/state/attempt-threads.js';
import { sumModelUsage } from '../../src/usage/math.js';
import { PriceTable } from '../../src/usage/pricing.js';
import { ALL_COUNT_FIELDS, type ModelTokenUsage, type TokenUsage } from '../../src/usage/types.js';

const FIXTURE = path.resolve('test/fixtures/2.1.332/subagent-second-model');
const SONNET = 'claude-sonnet-4-5';
const HAIKU = 'claude-haiku-4-5';
const SESSION = 'c953a717-ea03-4064-8e98-89731cfcd28f';
const AGENT = 'ae2bb4496e7b2999b';
const TASK_TOOL_USE = 'toolu_bf8be57989d405c652a580ed';
const cwd = '/tmp/cp-record-cwd-DBeF8t';

let home: string;
const env = (): NodeJS.ProcessEnv => ({ CLAUDE_CONFIG_DIR: home });
beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'cp-subagents-'));
});
afterEach(async () => rm(home, { recursive: true, force: true }));

const counts = (usage: ModelTokenUsage) =>
  Object.fromEntries(
    Object.entries(usage).map(([model, u]) => [model, Object.fromEntries(ALL_COUNT_FIELDS.map((field) => [field, u[field]]))]),
  );

async function observed(): Promise<CallObserver> {
  const observer = new CallObserver(PriceTable.withOverrides(), SESSION);
  for (const line of (await readFile(`${FIXTURE}.jsonl`, 'utf8')).split('\n').filter(Boolean)) {
    const parsed = parseStreamLine(Buffer.from(line));
    if (parsed.ok) observer.observe(parsed.event);
  }
  return observer;
}

async function writeAgentTranscript(agentId: string, messages: Array<{ id: string; model: string; usage: Record<string, number> }>) {
  const dir = path.join(transcriptDir(env(), cwd), SESSION, 'subagents');
  await mkdir(dir, { recursive: true });
  const lines = [
    { type: 'user', message: { role: 'user', content: 'Say hi.' } },
    // a message is written once per content block: the last entry of it wins, it counts once
    ...messages.flatMap((m) => [
      { type: 'assistant', requestId: `req_${m.id}`, message: { id: m.id, model: m.model, usage: { ...m.usage, output_tokens: 1 } } },
      { type: 'assistant', requestId: `req_${m.id}`, message: { id: m.id, model: m.model, usage: m.usage } },
    ]),
  ];
  await writeFile(path.join(dir, `agent-${agentId}.jsonl`), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
}

describe('per subagent, on the 2.1.332 recording', () => {
  it("ties the subagent to its Task tool use; subagent + main thread = the attempt's billed usage, per model, exactly", async () => {
    const served = JSON.parse(await readFile(`${FIXTURE}.served.json`, 'utf8')) as Record<string, Record<string, number>>;
    const haiku = served[HAIKU]!;
    await writeAgentTranscript(AGENT, [
      {
        id: 'msg_2aa7649a0504ef66b1f54997',
        model: HAIKU,
        usage: {
          input_tokens: haiku.inputTokens!,
          output_tokens: haiku.outputTokens!,
          cache_creation_input_tokens: haiku.cacheCreationInputTokens!,
          cache_read_input_tokens: haiku.cacheReadInputTokens!,
        },
      },
    ]);
    const observer = await observed();
    const settled = await observer.settle(env(), cwd);
    const subagents = await observer.subagents(env(), cwd);
    expect(subagents).toHaveLength(1);
    expect(subagents![0]).toMatchObject({ toolUseId: TASK_TOOL_USE, agentId: AGENT, subagentType: 'helper' });
    expect(Object.keys(subagents![0]!.usage)).toEqual([HAIKU]);
    expect(subagents![0]!.usage[HAIKU]).toMatchObject({
      inputTokens: 310,
      outputTokens: 7,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
    });
    // 310 × $1 + 7 × $5 per million
    expect(subagents![0]!.usage[HAIKU]!.costUsd).toBeCloseTo(0.000345, 12);

    const threads = attemptThreads({ usage: settled.usage, subagents })!;
    // the main thread is what the API served the main model; the Haiku subagent was all of Haiku
    expect(counts(threads.mainThread!)).toEqual({
      [SONNET]: { ...served[SONNET], cacheCreation5mInputTokens: 0, cacheCreation1hInputTokens: 0 },
    });
    const summed = sumModelUsage(threads.mainThread!, ...threads.subagents.map((s) => s.usage));
    expect(counts(summed)).toEqual(counts(settled.usage));
    for (const model of Object.keys(settled.usage)) expect(summed[model]!.costUsd).toBeCloseTo(settled.usage[model]!.costUsd!, 10);
  });

  it('no subagent transcript: no per-subagent split (and the attempt keeps its usage)', async () => {
    const observer = await observed();
    expect(await observer.subagents(env(), cwd)).toBeUndefined();
    expect(attemptThreads({ usage: (await observer.settle(env(), cwd)).usage })).toBeUndefined();
  });
});

const usage = (input: number, output: number, costUsd: number | null): TokenUsage => ({
  inputTokens: input,
  outputTokens: output,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  cacheCreation5mInputTokens: 0,
  cacheCreation1hInputTokens: 0,
  costUsd,
});

describe('attemptThreads', () => {
  it('two subagents on the main model and another: the main thread is the rest, model by model', () => {
    const threads = attemptThreads({
      usage: { [SONNET]: usage(1_000, 100, 0.0045), [HAIKU]: usage(300, 30, 0.00045) },
      subagents: [
        { toolUseId: 'toolu_1', agentId: 'a1', usage: { [SONNET]: usage(400, 40, 0.0018) } },
        { toolUseId: 'toolu_2', agentId: 'a2', usage: { [HAIKU]: usage(300, 30, 0.00045) } },
      ],
    })!;
    expect(threads.mainThread).toEqual({ [SONNET]: usage(600, 60, 0.0027) });
    expect(threads.subagents.map((s) => s.toolUseId)).toEqual(['toolu_1', 'toolu_2']);
  });

  it('subagents showing more than the attempt was billed: no main thread rather than a negative one', () => {
    const more = { toolUseId: null, agentId: 'a1', usage: { [SONNET]: usage(2_000, 1, 0.1) } };
    expect(attemptThreads({ usage: { [SONNET]: usage(1_000, 100, 0.0045) }, subagents: [more] })!.mainThread).toBeNull();
    const other = { toolUseId: null, agentId: 'a1', usage: { [HAIKU]: usage(1, 1, 0) } };
    expect(attemptThreads({ usage: { [SONNET]: usage(1_000, 100, 0.0045) }, subagents: [other] })!.mainThread).toBeNull();
  });

  it('an unknown cost stays unknown in the main thread', () => {
    const threads = attemptThreads({
      usage: { [SONNET]: usage(1_000, 100, null) },
      subagents: [{ toolUseId: 'toolu_1', agentId: 'a1', usage: { [SONNET]: usage(400, 40, null) } }],
    })!;
    expect(threads.mainThread![SONNET]!.costUsd).toBeNull();
  });
});
