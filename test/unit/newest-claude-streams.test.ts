import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseStreamLine } from '../../src/claude/parse-line.js';
import { isPartialMessage, type PartialMessageEvent, type ResultEvent, type StreamEvent } from '../../src/claude/stream-events.js';
import { CallObserver } from '../../src/pipeline/call-observer.js';
import { PriceTable } from '../../src/usage/pricing.js';
import { TOKEN_FIELDS, type ModelTokenUsage } from '../../src/usage/types.js';

// Streams recorded from Claude Code 2.1.332 with --include-partial-messages, as claude-project
// calls it (`node test/fixtures/record.mjs 2.1.332`); <name>.served.json is what the API served.
const FIXTURES = path.resolve('test/fixtures/2.1.332');

const linesOf = (name: string): string[] =>
  readFileSync(path.join(FIXTURES, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean);
const served = (name: string): Record<string, Record<string, number>> =>
  JSON.parse(readFileSync(path.join(FIXTURES, `${name}.served.json`), 'utf8')) as Record<string, Record<string, number>>;

function parse(line: string): StreamEvent {
  const parsed = parseStreamLine(Buffer.from(line));
  if (!parsed.ok) throw new Error(`fixture line did not parse: ${parsed.reason}`);
  return parsed.event;
}

function settle(lines: string[]): { usage: ModelTokenUsage; source: string } {
  const observer = new CallObserver(PriceTable.withOverrides());
  for (const line of lines) observer.observe(parse(line));
  return observer.usage.settle();
}

function tokens(usage: ModelTokenUsage): Record<string, Record<string, number>> {
  return Object.fromEntries(
    Object.entries(usage).map(([model, u]) => [model, Object.fromEntries(TOKEN_FIELDS.map((field) => [field, u[field]]))]),
  );
}

function truth(name: string): Record<string, Record<string, number | undefined>> {
  return Object.fromEntries(
    Object.entries(served(name)).map(([model, row]) => [model, Object.fromEntries(TOKEN_FIELDS.map((field) => [field, row[field]]))]),
  );
}

describe.each(['plain-answer', 'bash-tool-loop', 'subagent-second-model'])('2.1.332 stream %s', (name) => {
  it('settles to exactly what the API served, priced as Claude Code prices it', () => {
    const settled = settle(linesOf(name));
    expect(settled.source).toBe('result');
    expect(tokens(settled.usage)).toEqual(truth(name));
    for (const usage of Object.values(settled.usage)) expect(usage.costUsd).toBeCloseTo(usage.claudeCostUsd!, 10);
  });

  it('without its result, the partial messages give every streamed message its final output', () => {
    const lines = linesOf(name).filter((line) => !line.includes('"type":"result"'));
    const settled = settle(lines);
    expect(settled.source).toBe('estimate');
    expect(tokens(settled.usage)['claude-sonnet-4-5']).toEqual(truth(name)['claude-sonnet-4-5']);
  });
});

describe('two result lines in one call (2.1.332)', () => {
  const name = 'subagent-second-model';
  const lines = linesOf(name);
  const resultAt = lines.flatMap((line, i) => (parse(line).type === 'result' ? [i] : []));
  const results = resultAt.map((i) => parse(lines[i]!) as ResultEvent);
  // The turn that answers the subagent's notification: from its `init` line to the first result.
  const lastTurnFrom = lines.findLastIndex((line, i) => i < resultAt[0]! && line.includes('"subtype":"init"'));
  const lastTurn = lines.slice(lastTurnFrom, resultAt[0]);
  const lastTurnStart = lastTurn.map(parse).find((e): e is PartialMessageEvent => isPartialMessage(e) && e.event?.type === 'message_start');
  const lastTurnOutput = lastTurn
    .map(parse)
    .find((e): e is PartialMessageEvent => isPartialMessage(e) && e.event?.type === 'message_delta')!.event!.usage!.output_tokens!;

  /** The first result as it would read had it been printed before the last turn: that turn's counts taken out. */
  function firstResultBeforeLastTurn(): string {
    const usage = lastTurnStart!.event!.message!.usage!;
    const first = JSON.parse(lines[resultAt[0]!]!) as ResultEvent & { modelUsage: Record<string, Record<string, number>> };
    const sonnet = first.modelUsage['claude-sonnet-4-5']!;
    sonnet.inputTokens! -= usage.input_tokens!;
    sonnet.outputTokens! -= lastTurnOutput;
    sonnet.cacheReadInputTokens! -= usage.cache_read_input_tokens!;
    sonnet.cacheCreationInputTokens! -= usage.cache_creation_input_tokens!;
    return JSON.stringify(first);
  }

  it('the trap is there: two results, numbered, each with the whole call so far', () => {
    expect(results.map((r) => r.result_index)).toEqual([0, 1]);
    expect(tokens(settle([lines[resultAt[0]!]!]).usage)).toEqual(truth(name));
    expect(tokens(settle([lines[resultAt[1]!]!]).usage)).toEqual(truth(name));
    expect(results[1]?.model_usage_since_last_result).toEqual({});
    expect(lastTurnStart).toBeDefined();
  });

  it('the last cumulative result wins, whichever order they arrive in', () => {
    const before = lines.slice(0, lastTurnFrom);
    const earlyFirst = firstResultBeforeLastTurn();
    const inOrder = [...before, earlyFirst, ...lastTurn, lines[resultAt[1]!]!];
    const swapped = [...before, ...lastTurn, lines[resultAt[1]!]!, earlyFirst];
    expect(tokens(settle(inOrder).usage)).toEqual(truth(name));
    expect(tokens(settle(swapped).usage)).toEqual(truth(name));
  });

  it('killed between them: the first result plus the turn streamed after it, exact', () => {
    const killed = [...lines.slice(0, lastTurnFrom), firstResultBeforeLastTurn(), ...lastTurn];
    const settled = settle(killed);
    expect(settled.source).toBe('result');
    expect(tokens(settled.usage)).toEqual(truth(name));
  });
});
