import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseStreamLine } from '../../src/claude/parse-line.js';
import { formatEvent } from '../../src/claude/readable-log.js';
import { transcriptDir } from '../../src/claude/transcript.js';
import { CallObserver } from '../../src/pipeline/call-observer.js';
import { PriceTable } from '../../src/usage/pricing.js';

const prices = PriceTable.withOverrides();
const HAIKU = 'claude-haiku-4-5';
const SONNET = 'claude-sonnet-4-5';
const cwd = '/work/project';
let configDir: string;
const env = (): NodeJS.ProcessEnv => ({ CLAUDE_CONFIG_DIR: configDir });

beforeEach(async () => {
  configDir = await mkdtemp(path.join(os.tmpdir(), 'cp-split-'));
});
afterEach(async () => {
  await rm(configDir, { recursive: true, force: true });
});

/** A call whose main model's 1-hour writes are streamed and whose subagent's are not. */
function observedCall(modelUsageExtra: Record<string, number> = {}): CallObserver {
  const observer = new CallObserver(prices, 's1');
  const oneHour = {
    cache_creation_input_tokens: 3_100,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 3_100 },
  };
  observer.observe({
    type: 'assistant',
    message: { id: 'm1', model: SONNET, usage: { input_tokens: 2_200, output_tokens: 1, ...oneHour } },
  });
  observer.observe({
    type: 'result',
    modelUsage: {
      [SONNET]: { inputTokens: 2_200, outputTokens: 55, cacheCreationInputTokens: 3_100, cacheReadInputTokens: 0 },
      [HAIKU]: { inputTokens: 310, outputTokens: 7, cacheCreationInputTokens: 1_433, cacheReadInputTokens: 0, ...modelUsageExtra },
    },
  });
  return observer;
}

async function writeSubagentTranscript(): Promise<void> {
  const dir = path.join(transcriptDir(env(), cwd), 's1', 'subagents');
  await mkdir(dir, { recursive: true });
  const usage = {
    input_tokens: 310,
    output_tokens: 7,
    cache_creation_input_tokens: 1_433,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 1_433 },
  };
  await writeFile(
    path.join(dir, 'agent-a1.jsonl'),
    `${JSON.stringify({ type: 'user', message: { role: 'user', content: 'Say hi.' } })}\n${JSON.stringify({ type: 'assistant', requestId: 'r1', message: { id: 'm2', model: HAIKU, usage } })}\n`,
  );
}

describe("a result's cache writes split per model, subagents included", () => {
  // 310 × $1 + 7 × $5 + 1,433 × $2 (1-hour) = 3,211 per million; as 5-minute writes it would be 2,136.25
  const exactHaikuCost = 0.003211;

  it("takes a subagent's 1-hour writes from its transcript, and says so in the raw log", async () => {
    await writeSubagentTranscript();
    const settled = await observedCall().settle(env(), cwd);
    expect(settled.source).toBe('result');
    expect(settled.usage[HAIKU]).toMatchObject({
      cacheCreation1hInputTokens: 1_433,
      cacheCreation5mInputTokens: 0,
      costUsd: exactHaikuCost,
    });
    expect(settled.usage[SONNET]).toMatchObject({ cacheCreation1hInputTokens: 3_100, cacheCreation5mInputTokens: 0 });
    expect(settled.cacheWrites1h).toEqual({ [HAIKU]: 1_433 });
  });

  it('rebuilds the same split from the numbers marked in the raw log when the transcript is gone', async () => {
    const settled = await observedCall().settle(env(), cwd, { [HAIKU]: 1_433 });
    expect(settled.usage[HAIKU]).toMatchObject({ cacheCreation1hInputTokens: 1_433, costUsd: exactHaikuCost });
  });

  it('uses the split a 2.1.3xx result carries itself, reading no transcript', async () => {
    const settled = await observedCall({ cacheCreationEphemeral5mInputTokens: 0, cacheCreationEphemeral1hInputTokens: 1_433 }).settle(
      env(),
      cwd,
    );
    expect(settled.usage[HAIKU]).toMatchObject({ cacheCreation1hInputTokens: 1_433, costUsd: exactHaikuCost });
    expect(settled.cacheWrites1h).toBeUndefined();
  });

  it('with neither, counts the unseen writes as 5-minute ones', async () => {
    const settled = await observedCall().settle(env(), cwd);
    expect(settled.usage[HAIKU]).toMatchObject({ cacheCreation1hInputTokens: 0, cacheCreation5mInputTokens: 1_433 });
  });
});

describe('partial-message lines', () => {
  const session = '"session_id":"s1","parent_tool_use_id":null,"uuid":"u1"';
  it('a token delta is known by its first bytes and never parsed; the readable log gets nothing of it', () => {
    const delta = `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}},${session}}`;
    const parsed = parseStreamLine(Buffer.from(delta));
    expect(parsed).toEqual({ ok: true, event: { type: 'stream_event' } });
    expect(parsed.ok && formatEvent(parsed.event)).toBeUndefined();
  });

  it('message_start and message_delta are parsed; a cut line is reported, not skipped', () => {
    const start = `{"type":"stream_event","event":{"type":"message_start","message":{"id":"m9","model":"${SONNET}","usage":{"input_tokens":377,"output_tokens":1}}},${session}}`;
    const parsed = parseStreamLine(Buffer.from(start));
    expect(parsed.ok && parsed.event).toMatchObject({ event: { type: 'message_start', message: { id: 'm9' } } });
    expect(parsed.ok && formatEvent(parsed.event)).toBeUndefined();
    const cut = `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel`;
    expect(parseStreamLine(Buffer.from(cut)).ok).toBe(false);
  });

  it('a message claude was stopped in the middle of counts with its start when the transcript lacks it', async () => {
    const observer = new CallObserver(prices, 's1');
    const start = `{"type":"stream_event","event":{"type":"message_start","message":{"id":"m9","model":"${SONNET}","usage":{"input_tokens":377,"output_tokens":1,"cache_read_input_tokens":2048}}},${session}}`;
    const parsed = parseStreamLine(Buffer.from(start));
    if (parsed.ok) observer.observe(parsed.event);
    const dir = transcriptDir(env(), cwd);
    await mkdir(dir, { recursive: true });
    const finished = { id: 'm1', model: SONNET, usage: { input_tokens: 1_510, output_tokens: 61, cache_creation_input_tokens: 2_048 } };
    await writeFile(path.join(dir, 's1.jsonl'), `${JSON.stringify({ type: 'assistant', requestId: 'r1', message: finished })}\n`);
    const settled = await observer.settle(env(), cwd);
    expect(settled.source).toBe('transcript');
    expect(settled.usage[SONNET]).toMatchObject({
      inputTokens: 1_887,
      outputTokens: 62,
      cacheCreationInputTokens: 2_048,
      cacheReadInputTokens: 2_048,
    });
  });
});
