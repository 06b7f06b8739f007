import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { startFakeApi, type FakeApi, type FakeScript } from '../../examples/fake-api/server.mjs';
import { PINNED_CLAUDE, realClaudeEnv, resolveRealClaude, type ClaudeVersion } from './real-claude.js';
import { SUITE_COMPILE_CACHE } from '../support/suite-compile-cache.js';
import { removeTempDir, tempDir } from '../support/temp-dirs.js';

export const CLI = path.resolve('dist/bundle/cli.js');

export interface E2eProject {
  dir: string;
  home: string;
  api: FakeApi;
  /** `env`: added to the environment the CLI (and so claude) gets. */
  run(args: string[], env?: Record<string, string>): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }>;
  /** The same, started: the test decides when it ends. */
  start(args: string[], env?: Record<string, string>): ResultPromise;
  readJson<T>(relative: string): Promise<T>;
  readText(relative: string): Promise<string>;
  /** Stops the fake API and removes the project folder (kept when KEEP_TMP is set). */
  close(): Promise<void>;
}

export interface E2eOptions {
  /** Which real Claude Code runs (default: the pinned one). */
  claude?: ClaudeVersion;
  /** Told when the fake API stalls a `stall` turn (see examples/fake-api/server.mjs). */
  onStall?: (stalled: { messageId: string; model: string }) => void;
}

/** A project folder with config and task files, and a fresh fake Messages API for it. */
export async function e2eProject(files: Record<string, string>, script: FakeScript, options: E2eOptions = {}): Promise<E2eProject> {
  const dir = await tempDir('cp-e2e-');
  const home = path.join(dir, '.home');
  await mkdir(home);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  const api = await startFakeApi({ script, ...(options.onStall && { onStall: options.onStall }) });
  const claude = resolveRealClaude(options.claude ?? PINNED_CLAUDE);
  const start = (args: string[], env: Record<string, string> = {}): ResultPromise =>
    execa(process.execPath, [CLI, ...args], {
      cwd: dir,
      reject: false,
      extendEnv: false,
      env: {
        ...realClaudeEnv(api.url, home),
        CLAUDE_PROJECT_CLAUDE_BIN: claude,
        CLAUDE_PROJECT_COMPILE_CACHE: SUITE_COMPILE_CACHE,
        NO_COLOR: '1',
        ...env,
      },
      timeout: 180_000,
    });
  return {
    dir,
    home,
    api,
    start,
    run: async (args, env = {}) => {
      const result = await start(args, env);
      return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    readJson: async (relative) => JSON.parse(await readFile(path.join(dir, relative), 'utf8')),
    readText: (relative) => readFile(path.join(dir, relative), 'utf8'),
    close: async () => {
      await api.close();
      await removeTempDir(dir);
    },
  };
}

export interface Counts {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/** What the fake API served, per model, without its bookkeeping fields. */
export function servedCounts(api: FakeApi): Record<string, Counts> {
  return Object.fromEntries(
    Object.entries(api.served).map(([model, row]) => [
      model,
      {
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        cacheCreationInputTokens: row.cacheCreationInputTokens,
        cacheReadInputTokens: row.cacheReadInputTokens,
      },
    ]),
  );
}

/** The token counts (no cost) of a ModelTokenUsage from a state file. */
export function countsOf(usage: Record<string, Counts & { costUsd?: number }>): Record<string, Counts> {
  return Object.fromEntries(
    Object.entries(usage).map(([model, u]) => [
      model,
      {
        inputTokens: u.inputTokens,
        outputTokens: u.outputTokens,
        cacheCreationInputTokens: u.cacheCreationInputTokens,
        cacheReadInputTokens: u.cacheReadInputTokens,
      },
    ]),
  );
}

/**
 * Appends what a test compared to test-output/e2e-usage.jsonl (git-ignored): the figures behind
 * "zero difference", per model and count, for anyone who wants to see them.
 */
export async function recordFigures(test: string, served: Record<string, Counts>, recorded: Record<string, Counts>): Promise<void> {
  const difference: Record<string, Record<string, number>> = {};
  for (const model of new Set([...Object.keys(served), ...Object.keys(recorded)])) {
    const s = served[model];
    const r = recorded[model];
    difference[model] = Object.fromEntries(
      (['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens'] as const).map((k) => [
        k,
        (r?.[k] ?? 0) - (s?.[k] ?? 0),
      ]),
    );
  }
  await mkdir('test-output', { recursive: true });
  await appendFile('test-output/e2e-usage.jsonl', `${JSON.stringify({ test, served, recorded, difference })}\n`);
}

const FOOTER_LINE = /^(\S+): input ([\d,]+) · output ([\d,]+) · cache write ([\d,]+) · cache read ([\d,]+) · \$([\d.]+)/;

/** The per-model counts in the last `--- Token Usage ---` footer of a step log. */
export function footerCounts(log: string): Record<string, Counts> {
  const start = log.lastIndexOf('--- Token Usage ---');
  if (start === -1) throw new Error('no footer in log');
  const counts: Record<string, Counts> = {};
  for (const line of log.slice(start).split('\n').slice(1)) {
    const match = FOOTER_LINE.exec(line);
    if (!match) continue;
    const n = (i: number): number => Number(match[i]!.replaceAll(',', ''));
    if (match[1] === 'total') continue;
    counts[match[1]!] = { inputTokens: n(2), outputTokens: n(3), cacheCreationInputTokens: n(4), cacheReadInputTokens: n(5) };
  }
  return counts;
}

const assistantTurns = (messages: unknown[] | undefined): number =>
  (messages ?? []).filter((m) => (m as { role?: string }).role === 'assistant').length;

/**
 * A script with distinct, model-dependent counts: a prompt with a line `$ command` first gets a
 * message of two content blocks (text + Bash tool_use), then a final answer.
 */
export const e2eScript: FakeScript = (body, context) => {
  const turn = assistantTurns(body.messages);
  const seed = (body.model.length * 7 + context.index * 13 + turn * 31) % 50;
  if (context.isSideRequest) return { blocks: [{ type: 'text', text: 'title' }], usage: { input_tokens: 30 + seed, output_tokens: 4 } };
  const firstUser = JSON.stringify((body.messages ?? [])[0] ?? '');
  const command = /\$ ([^\\"]+)/.exec(firstUser)?.[1];
  if (command && turn === 0) {
    return {
      blocks: [
        { type: 'text', text: 'Running the command.' },
        { type: 'tool_use', name: 'Bash', input: { command, description: 'run it' } },
      ],
      usage: { input_tokens: 1500 + seed, output_tokens: 80 + seed, cache_creation_input_tokens: 2000 + seed, cache_read_input_tokens: 0 },
    };
  }
  return {
    blocks: [{ type: 'text', text: `Done (turn ${turn}).` }],
    usage: {
      input_tokens: 300 + seed,
      output_tokens: 25 + seed,
      cache_creation_input_tokens: turn * 10,
      cache_read_input_tokens: turn > 0 ? 2000 + seed : 0,
    },
  };
};

/**
 * How long the real claude takes to start on this machine right now (`claude --version`): the
 * unit for a product timeout an end-to-end test must set, which has to leave claude time for its
 * turns whatever the load.
 */
export async function measureRealClaudeMs(): Promise<number> {
  const started = performance.now();
  await execa(resolveRealClaude(), ['--version'], { extendEnv: false, env: realClaudeEnv('http://127.0.0.1:9', os.tmpdir()) });
  return performance.now() - started;
}
