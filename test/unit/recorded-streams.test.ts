import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseStreamLine } from '../../src/claude/parse-line.js';
import { forEachLine } from '../../src/claude/read-lines.js';
import type { AssistantEvent } from '../../src/claude/stream-events.js';
import { CallObserver } from '../../src/pipeline/call-observer.js';
import { PriceTable } from '../../src/usage/pricing.js';
import { TOKEN_FIELDS } from '../../src/usage/types.js';

// Streams recorded from the real Claude Code CLI 2.1.197 against the fake Messages API
// (test/fixtures/record.mjs); <name>.served.json is what the API served, per model.
const FIXTURES = path.resolve('test/fixtures');

async function replay(name: string): Promise<{ observer: CallObserver; assistants: AssistantEvent[] }> {
  const observer = new CallObserver(PriceTable.withOverrides());
  const assistants: AssistantEvent[] = [];
  await forEachLine(path.join(FIXTURES, `${name}.jsonl`), (line) => {
    const parsed = parseStreamLine(line);
    if (!parsed.ok) throw new Error(`fixture line did not parse: ${parsed.reason}`);
    if (parsed.event.type === 'assistant') assistants.push(parsed.event as AssistantEvent);
    observer.observe(parsed.event);
  });
  return { observer, assistants };
}

function served(name: string): Record<string, Record<string, number>> {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.served.json`), 'utf8')) as Record<string, Record<string, number>>;
}

describe.each(['plain-answer', 'bash-tool-loop', 'subagent-second-model'])('recorded stream %s', (name) => {
  it('settles to exactly what the API served, per model and per count, from result.modelUsage', async () => {
    const { observer } = await replay(name);
    const settled = observer.usage.settle();
    expect(settled.source).toBe('result');
    const truth = served(name);
    expect(Object.keys(settled.usage).sort()).toEqual(Object.keys(truth).sort());
    for (const [model, counts] of Object.entries(truth)) {
      for (const field of TOKEN_FIELDS) expect(settled.usage[model]?.[field]).toBe(counts[field]);
      // our price function agrees with the CLI's own costUSD (list price) on what it recorded
      expect(settled.usage[model]?.claudeCostUsd).toEqual(expect.any(Number));
      expect(settled.usage[model]?.costUsd).toBeCloseTo(settled.usage[model]!.claudeCostUsd!, 10);
    }
  });
});

describe('the stream traps, as recorded', () => {
  it('repeats one message id and its usage once per content block: summing events would overcount', async () => {
    const { observer, assistants } = await replay('bash-tool-loop');
    const ids = assistants.map((a) => a.message.id);
    expect(new Set(ids).size).toBeLessThan(ids.length);
    const summedInput = assistants.reduce((n, a) => n + (a.message.usage?.input_tokens ?? 0), 0);
    const truth = served('bash-tool-loop')['claude-sonnet-4-5']!;
    expect(summedInput).toBeGreaterThan(truth.inputTokens!);
    // one snapshot per id gets input right, but output is only the start-of-message snapshot
    const estimate = observer.usage.estimate()['claude-sonnet-4-5']!;
    expect(estimate.inputTokens).toBe(truth.inputTokens);
    expect(estimate.outputTokens).toBeLessThan(truth.outputTokens!);
  });

  it('shows no event for the subagent model: only result.modelUsage knows it', async () => {
    const { observer, assistants } = await replay('subagent-second-model');
    const streamedModels = new Set(assistants.map((a) => a.message.model));
    const subagentModel = Object.keys(served('subagent-second-model')).find((m) => m.includes('haiku'))!;
    expect(streamedModels.has(subagentModel)).toBe(false);
    expect(observer.usage.estimate()[subagentModel]).toBeUndefined();
    expect(observer.usage.settle().usage[subagentModel]?.inputTokens).toBeGreaterThan(0);
  });
});
