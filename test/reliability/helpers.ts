/**
 * Helpers for the reliability tests, on top of the integration helpers: a seeded PRNG,
 * fake claude calls that "bill" each message as the API would (transcript entry + a record of
 * what was billed, see test/fake-claude/fake-claude.cjs `$bill`), the orphan sweep after a
 * kill -9, and the arithmetic that turns the fake's records into the numbers the state must hold.
 *
 * Expected numbers come from what the fake recorded it billed, never from the code under test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  HAIKU,
  assistant,
  billed,
  init,
  priced,
  result,
  snapshot,
  waitFor,
  sumUsage,
  toolResult,
  toolUse,
  type ApiUsage,
  type Attempt,
  type BilledUsage,
  type ModelTokenUsage,
  type Project,
  type StreamLine,
  knownCost,
} from '../integration/helpers.js';

export * from '../integration/helpers.js';

// ---------------------------------------------------------------------------------------------
// Reproducible randomness.

export { prng, randInt } from '../support/prng.js';
import { randInt } from '../support/prng.js';

// ---------------------------------------------------------------------------------------------
// Calls that bill as they go.

export interface Bill {
  id: string;
  model: string;
  /** The message's final usage (output included), as the transcript keeps it. */
  usage: ApiUsage;
  agent?: string;
  entries?: number;
}

/** The fake's `$bill` directive: transcript entry + billed record, then (later lines) printing. */
export function bill(b: Bill): Record<string, unknown> {
  return { $bill: b };
}

/** `result.modelUsage` for these bills: the sum per model, cost at list price. */
export function modelUsageOf(bills: Bill[]): Record<string, BilledUsage> {
  const total = sumUsage(...bills.map((b) => priced(b.model, b.usage)));
  const out: Record<string, BilledUsage> = {};
  for (const [model, u] of Object.entries(total)) {
    out[model] = billed(u.inputTokens, u.outputTokens, u.cacheCreationInputTokens, u.cacheReadInputTokens, knownCost(u.costUsd));
  }
  return out;
}

/** The usage the state should hold for these bills. */
export function usageOfBills(bills: Array<{ model: string; usage: ApiUsage }>): ModelTokenUsage {
  return sumUsage(...bills.map((b) => priced(b.model, b.usage)));
}

function randomUsage(rng: () => number): ApiUsage {
  return {
    input_tokens: randInt(rng, 1, 5_000),
    output_tokens: randInt(rng, 2, 3_000),
    cache_creation_input_tokens: rng() < 0.5 ? 0 : randInt(rng, 1, 20_000),
    cache_read_input_tokens: rng() < 0.3 ? 0 : randInt(rng, 1, 90_000),
  };
}

/**
 * One random claude call as Claude Code prints it, every message billed (transcript first) before
 * its events are printed: main-loop messages on `model` (one event per content block, the usage a
 * start-of-message snapshot), a tool result after each tool call, sometimes a subagent on haiku
 * (only partly streamed), then a `result` whose modelUsage is the sum of the bills. It honours
 * `--session-id`.
 */
export function billingCall(
  rng: () => number,
  tag: string,
  model: string,
  options: { chunkDelayMs?: number; gate?: string } = {},
): { attempt: Attempt; bills: Bill[] } {
  const lines: StreamLine[] = [init('replaced-by-the-session-id', model)];
  // the call has started (and so its task is running), and waits for the test to open the gate
  if (options.gate) lines.push({ $waitFor: options.gate });
  const bills: Bill[] = [];
  const messages = randInt(rng, 1, 3);
  for (let m = 1; m <= messages; m++) {
    const id = `msg_${tag}_${m}`;
    const final = randomUsage(rng);
    const b: Bill = { id, model, usage: final, entries: randInt(rng, 1, 2) };
    bills.push(b);
    lines.push(bill(b));
    const useTool = m < messages;
    const blocks = useTool
      ? [{ type: 'text', text: `step ${m}` }, toolUse(`toolu_${tag}_${m}`, 'Bash', { command: 'ls' })]
      : randInt(rng, 1, 2);
    lines.push(
      ...assistant({
        id,
        model,
        usage: snapshot(final.input_tokens, final.cache_creation_input_tokens, final.cache_read_input_tokens),
        blocks,
      }).map((l) => ({ ...l, session_id: 'replaced' })),
    );
    if (useTool) lines.push({ ...toolResult(`toolu_${tag}_${m}`, `output ${m} of ${tag}\n`), session_id: 'replaced' });
    if (rng() < 0.25) {
      // a subagent on another model: billed, only its first message streamed
      const subs = randInt(rng, 1, 2);
      for (let s = 1; s <= subs; s++) {
        const sub: Bill = { id: `msg_${tag}_${m}_sub${s}`, model: HAIKU, usage: randomUsage(rng), agent: `agent-${tag}-${m}` };
        bills.push(sub);
        lines.push(bill(sub));
        if (s === 1) {
          lines.push(
            ...assistant({
              id: sub.id,
              model: HAIKU,
              usage: snapshot(sub.usage.input_tokens),
              blocks: 1,
              parentToolUseId: `toolu_${tag}_${m}`,
            }).map((l) => ({ ...l, session_id: 'replaced' })),
          );
        }
      }
    }
  }
  lines.push({ ...result({ modelUsage: modelUsageOf(bills) }), session_id: 'replaced' });
  return {
    attempt: { lines, honourSessionId: true, ...(options.chunkDelayMs && { chunkDelayMs: options.chunkDelayMs }) } as Attempt,
    bills,
  };
}

// ---------------------------------------------------------------------------------------------
// What the fake billed.

export interface BilledRecord {
  call: number;
  pid: number;
  sessionId: string;
  id: string;
  model: string;
  agent: string | null;
  usage: ApiUsage;
}

export async function billedRecords(project: Project): Promise<BilledRecord[]> {
  const file = path.join(project.recordDir, 'billed.jsonl');
  if (!existsSync(file)) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as BilledRecord);
}

/** The session id claude-project passed to a call (`--session-id`). */
export function sessionOf(argv: string[]): string | undefined {
  const i = argv.indexOf('--session-id');
  return i === -1 ? undefined : argv[i + 1];
}

// ---------------------------------------------------------------------------------------------
// Processes.

/** Live (not zombie) processes whose environment holds `KEY=value`: the fake claudes of one test. */
export async function processesWithEnv(key: string, value: string): Promise<number[]> {
  const needle = Buffer.from(`${key}=${value}\0`);
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const environ = await readFile(`/proc/${pid}/environ`);
      if (environ.indexOf(needle) === -1) continue;
      if (!isZombieOrGone(pid)) pids.push(pid);
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** A process's state letter from /proc (`R`, `S`, `T` stopped, `Z` zombie, …); undefined once gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state …": the command may hold spaces and parentheses
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** True when the process is gone or a zombie (dead, waiting to be reaped). */
export function isZombieOrGone(pid: number): boolean {
  const state = processState(pid);
  return state === undefined || state === 'Z' || state === 'X';
}

/**
 * Stops every fake claude of this project still running (orphans of a killed claude-project):
 * SIGTERM, which the fake handles between two steps, so a message is never half billed, then
 * waits for each to be gone (an event: however long a loaded machine takes). Returns how many
 * there were and how many needed SIGKILL because they outlived the wait (must stay 0 for exact
 * numbers).
 */
export async function sweepOrphans(project: Project): Promise<{ found: number; forced: number }> {
  const pids = await processesWithEnv('FAKE_CLAUDE_RECORD', project.recordDir);
  let forced = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
  }
  for (const pid of pids) {
    try {
      await waitFor(`fake claude ${pid} to stop after SIGTERM`, () => isZombieOrGone(pid));
    } catch {
      forced++;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }
  return { found: pids.length, forced };
}

// ---------------------------------------------------------------------------------------------
// State files.

/** Every `*.state.json` of the state folder must parse; returns them by file name. */
export async function parseAllStates(stateDir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (!existsSync(stateDir)) return out;
  for (const name of await readdir(stateDir)) {
    if (!name.endsWith('.state.json')) continue;
    const text = await readFile(path.join(stateDir, name), 'utf8');
    try {
      out[name] = JSON.parse(text);
    } catch (error) {
      throw new Error(`${name} does not parse after a kill: ${(error as Error).message}\n${text.slice(0, 300)}`);
    }
  }
  return out;
}
