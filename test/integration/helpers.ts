/**
 * Shared helpers for the integration tests: each test gets a fresh temp folder holding a project
 * (config, tasks), a HOME of its own, a scenario for the fake `claude` and the folder where the
 * fake records its calls; the BUILT CLI (dist/bundle/cli.js, the package's bin) is run in it with execa.
 *
 * Expected numbers are computed here from the scenario inputs (the contract's arithmetic), never
 * taken from the code under test.
 */
import { execa } from 'execa';
import { mkdir, readFile, readdir, realpath, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { ModelTokenUsage, TokenUsage } from '../../src/usage/types.js';
import { removeTempDirs, tempDir } from '../support/temp-dirs.js';
import { SUITE_COMPILE_CACHE } from '../support/suite-compile-cache.js';
import { taskFileName } from '../support/task-file-name.cjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO, 'dist', 'bundle', 'cli.js');
export const FAKE_CLAUDE = path.join(REPO, 'test', 'fake-claude', 'fake-claude.cjs');

export const SONNET = 'claude-sonnet-4-5';
export const OPUS = 'claude-opus-4-1';
export const HAIKU = 'claude-haiku-4-5';

// ---------------------------------------------------------------------------------------------
// Usage arithmetic (README: "How usage is counted"), independent of src/: only the types are shared.

export type { ModelTokenUsage, TokenUsage } from '../../src/usage/types.js';

/** One model's entry of `result.modelUsage`, as Claude Code prints it. */
export interface BilledUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  costUSD: number;
  [key: string]: number;
}

export interface ApiUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** A `result.modelUsage` entry. */
export function billed(input: number, output: number, cacheWrite: number, cacheRead: number, costUSD: number): BilledUsage {
  return {
    inputTokens: input,
    outputTokens: output,
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheWrite,
    webSearchRequests: 0,
    costUSD,
    contextWindow: 200000,
  };
}

/**
 * `result.modelUsage` → the ModelTokenUsage the state should hold for that call: its counts,
 * priced by claude-project at list price, Claude Code's costUSD kept as claudeCostUsd. It carries
 * no cache-write split: `oneHourWrites` are the 1-hour writes the call's stream showed per model
 * (the rest are 5-minute).
 */
export function fromModelUsage(modelUsage: Record<string, BilledUsage>, oneHourWrites: Record<string, number> = {}): ModelTokenUsage {
  const out: ModelTokenUsage = {};
  for (const [model, b] of Object.entries(modelUsage)) {
    const oneHour = oneHourWrites[model] ?? 0;
    const counts = {
      inputTokens: b.inputTokens,
      outputTokens: b.outputTokens,
      cacheCreationInputTokens: b.cacheCreationInputTokens,
      cacheReadInputTokens: b.cacheReadInputTokens,
      cacheCreation5mInputTokens: b.cacheCreationInputTokens - oneHour,
      cacheCreation1hInputTokens: oneHour,
    };
    out[model] = { ...counts, costUsd: listPrice(model, counts), claudeCostUsd: b.costUSD };
  }
  return out;
}

export function emptyUsage(): TokenUsage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    cacheCreation5mInputTokens: 0,
    cacheCreation1hInputTokens: 0,
    costUsd: 0,
  };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const both = a.claudeCostUsd !== undefined && b.claudeCostUsd !== undefined;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheCreation5mInputTokens: a.cacheCreation5mInputTokens + b.cacheCreation5mInputTokens,
    cacheCreation1hInputTokens: a.cacheCreation1hInputTokens + b.cacheCreation1hInputTokens,
    costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd + b.costUsd,
    ...(both && { claudeCostUsd: a.claudeCostUsd! + b.claudeCostUsd! }),
  };
}

function sumAll(usages: TokenUsage[]): TokenUsage {
  const [first, ...rest] = usages;
  return first ? rest.reduce(addUsage, first) : emptyUsage();
}

export function sumUsage(...parts: ModelTokenUsage[]): ModelTokenUsage {
  const byModel: Record<string, TokenUsage[]> = {};
  for (const part of parts) {
    for (const [model, u] of Object.entries(part)) {
      byModel[model] ??= [];
      byModel[model].push(u);
    }
  }
  return Object.fromEntries(Object.entries(byModel).map(([model, usages]) => [model, sumAll(usages)]));
}

export function totalOf(usage: ModelTokenUsage): TokenUsage {
  return sumAll(Object.values(usage));
}

/** Anthropic list prices (USD per million tokens) for the models the tests price themselves. */
export const LIST_PRICES: Record<string, { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number }> =
  {
    [SONNET]: { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
    [HAIKU]: { input: 1, output: 5, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 },
    [OPUS]: { input: 15, output: 75, cacheWrite5m: 18.75, cacheWrite1h: 30, cacheRead: 1.5 },
  };

/** Counts at list price (no request here passes a long-context threshold). */
export function listPrice(model: string, u: Omit<TokenUsage, 'costUsd' | 'claudeCostUsd'>): number {
  const p = LIST_PRICES[model];
  if (!p) throw new Error(`no list price for ${model} in the test helpers`);
  return (
    (u.inputTokens * p.input +
      u.outputTokens * p.output +
      u.cacheCreation5mInputTokens * p.cacheWrite5m +
      u.cacheCreation1hInputTokens * p.cacheWrite1h +
      u.cacheReadInputTokens * p.cacheRead) /
    1_000_000
  );
}

/** A message's API usage, priced at list price (for estimates and transcripts, which carry no cost). */
export function priced(model: string, u: ApiUsage): ModelTokenUsage {
  const oneHour = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const counts = {
    inputTokens: u.input_tokens,
    outputTokens: u.output_tokens,
    cacheCreationInputTokens: u.cache_creation_input_tokens,
    cacheReadInputTokens: u.cache_read_input_tokens,
    cacheCreation5mInputTokens: u.cache_creation_input_tokens - oneHour,
    cacheCreation1hInputTokens: oneHour,
  };
  return { [model]: { ...counts, costUsd: listPrice(model, counts) } };
}

/** A cost the test knows is priced (fails the test if it is unknown). */
export function knownCost(cost: number | null): number {
  if (cost === null) throw new Error('expected a known cost, got null');
  return cost;
}

/** Token counts equal exactly, costs to 1e-9 USD, and the same set of models. */
export function expectUsage(actual: unknown, expected: ModelTokenUsage): void {
  const got = actual as ModelTokenUsage;
  expect(Object.keys(got ?? {}).sort()).toEqual(Object.keys(expected).sort());
  for (const [model, want] of Object.entries(expected)) {
    const have = got[model] as TokenUsage;
    const counts = (u: TokenUsage) => ({ ...u, costUsd: 0, claudeCostUsd: 0, priceSource: undefined });
    expect({ model, ...counts(have) }).toEqual({ model, ...counts(want) });
    if (want.priceSource !== undefined) expect(have.priceSource).toBe(want.priceSource);
    if (want.costUsd === null) expect(have.costUsd).toBeNull();
    else expect(have.costUsd).toBeCloseTo(want.costUsd, 9);
    if (want.claudeCostUsd !== undefined) expect(have.claudeCostUsd).toBeCloseTo(want.claudeCostUsd, 9);
  }
}

const COUNT = new Intl.NumberFormat('en-US');

/** `$0.4210`, or `unknown`. Costs are kept to 1e-10 USD, so a sum's float noise cannot tip the fourth decimal. */
export function usd(cost: number | null): string {
  return cost === null ? 'unknown' : `$${(Math.round(cost * 1e10) / 1e10).toFixed(4)}`;
}

/** `input 12,340 · output 1,205 · cache write 3,000 · cache read 45,000 · $0.4210` (the footer's usage line). */
export function usageLine(u: TokenUsage): string {
  return [
    `input ${COUNT.format(u.inputTokens)}`,
    `output ${COUNT.format(u.outputTokens)}`,
    `cache write ${COUNT.format(u.cacheCreationInputTokens)}`,
    `cache read ${COUNT.format(u.cacheReadInputTokens)}`,
    usd(u.costUsd),
  ].join(' · ');
}

export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** The footer's model lines and total line, as the README shows them (models in any order). */
export function footerLines(usage: ModelTokenUsage, source: string): { models: string[]; total: string } {
  return {
    models: Object.entries(usage).map(([model, u]) => `${model}: ${usageLine(u)}`),
    total: `total: ${usageLine(totalOf(usage))} (source: ${source})`,
  };
}

/** The lines of the last `--- Token Usage ---` block of a readable log; fails if there is none. */
export function lastFooter(log: string): string[] {
  const at = log.lastIndexOf('--- Token Usage ---');
  expect(at).toBeGreaterThanOrEqual(0);
  return log
    .slice(at)
    .split('\n')
    .filter((line) => line.length > 0);
}

/**
 * Asserts the log ENDS with the footer for `usage`: heading, one line per model, the total with
 * its source, then only `outcome:` / `malformed lines:` lines.
 */
export function expectFooter(log: string, usage: ModelTokenUsage, source: string): string[] {
  const lines = lastFooter(log);
  const want = footerLines(usage, source);
  const modelCount = want.models.length;
  expect(lines[0]).toBe('--- Token Usage ---');
  expect(lines.slice(1, 1 + modelCount).sort()).toEqual([...want.models].sort());
  expect(lines[1 + modelCount]).toBe(want.total);
  for (const rest of lines.slice(2 + modelCount)) expect(rest).toMatch(/^(outcome|malformed lines): /);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Stream events as Claude Code 2.1.x prints them.

export type StreamLine = Record<string, unknown> | string;

export function init(sessionId: string, model: string = SONNET, cwd = '/somewhere'): Record<string, unknown> {
  return {
    type: 'system',
    subtype: 'init',
    cwd,
    session_id: sessionId,
    tools: ['Bash', 'Read', 'Edit', 'Write', 'Task'],
    mcp_servers: [],
    model,
    permissionMode: 'default',
    apiKeySource: 'ANTHROPIC_API_KEY',
    claude_code_version: '2.1.197',
    uuid: `uuid-init-${sessionId}`,
  };
}

/** A start-of-message usage snapshot: output_tokens 1, as the CLI streams it. */
export function snapshot(input: number, cacheWrite = 0, cacheRead = 0, output = 1): ApiUsage {
  return { input_tokens: input, output_tokens: output, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead };
}

/** A usage whose cache writes are split by time-to-live, as the API reports them today. */
export function withSplit(usage: ApiUsage, oneHour: number): ApiUsage {
  return {
    ...usage,
    cache_creation: { ephemeral_5m_input_tokens: usage.cache_creation_input_tokens - oneHour, ephemeral_1h_input_tokens: oneHour },
  };
}

export interface ContentBlock {
  type: string;
  [key: string]: unknown;
}

/**
 * One assistant message as the CLI prints it: one event per content block, each repeating the
 * same message.id and the same (start snapshot) usage.
 */
export function assistant(options: {
  id: string;
  model: string;
  usage: ApiUsage;
  blocks: number | ContentBlock[];
  parentToolUseId?: string | null;
  sessionId?: string;
}): Record<string, unknown>[] {
  const blocks: ContentBlock[] =
    typeof options.blocks === 'number'
      ? Array.from({ length: options.blocks }, (_, i) => ({ type: 'text', text: `${options.id} part ${i + 1}` }))
      : options.blocks;
  return blocks.map((block) => ({
    type: 'assistant',
    message: {
      id: options.id,
      type: 'message',
      role: 'assistant',
      model: options.model,
      content: [block],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...options.usage, service_tier: 'standard' },
    },
    parent_tool_use_id: options.parentToolUseId ?? null,
    session_id: options.sessionId ?? 'sess',
    uuid: `uuid-${options.id}-${block.type}-${Math.random().toString(36).slice(2, 8)}`,
  }));
}

export function toolUse(id: string, name: string, input: Record<string, unknown>): ContentBlock {
  return { type: 'tool_use', id, name, input };
}

export function toolResult(toolUseId: string, content: string, parentToolUseId: string | null = null): Record<string, unknown> {
  return {
    type: 'user',
    message: { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content, is_error: false }] },
    parent_tool_use_id: parentToolUseId,
    session_id: 'sess',
    uuid: `uuid-tr-${toolUseId}`,
  };
}

/** The closing `result` line; `usage` and `total_cost_usd` follow from `modelUsage`. */
export function result(options: {
  modelUsage: Record<string, BilledUsage>;
  isError?: boolean;
  subtype?: string;
  text?: string;
  sessionId?: string;
}): Record<string, unknown> {
  const all = Object.values(options.modelUsage);
  const sum = (key: keyof BilledUsage): number => all.reduce((n, b) => n + (b[key] as number), 0);
  return {
    type: 'result',
    subtype: options.subtype ?? (options.isError ? 'error_during_execution' : 'success'),
    is_error: options.isError ?? false,
    duration_ms: 4321,
    duration_api_ms: 4000,
    num_turns: 3,
    result: options.text ?? 'All done.',
    session_id: options.sessionId ?? 'sess',
    total_cost_usd: sum('costUSD'),
    usage: {
      input_tokens: sum('inputTokens'),
      cache_creation_input_tokens: sum('cacheCreationInputTokens'),
      cache_read_input_tokens: sum('cacheReadInputTokens'),
      output_tokens: sum('outputTokens'),
    },
    modelUsage: options.modelUsage,
    permission_denials: [],
    uuid: 'uuid-result',
  };
}

export function rateLimitEvent(resetsAt: number, status = 'rejected', rateLimitType = 'five_hour'): Record<string, unknown> {
  return { type: 'rate_limit_event', rate_limit_info: { status, resetsAt, rateLimitType }, uuid: 'uuid-rl', session_id: 'sess' };
}

/** What summing every assistant event's usage would give: the classic double count. */
export function naiveSnapshotSum(lines: StreamLine[]): ModelTokenUsage {
  const parts: ModelTokenUsage[] = [];
  for (const line of lines) {
    if (typeof line === 'string' || line.type !== 'assistant') continue;
    const message = line.message as { model: string; usage: ApiUsage };
    parts.push(priced(message.model, message.usage));
  }
  return sumUsage(...parts);
}

// ---------------------------------------------------------------------------------------------
// The fake claude's scenario and its record of calls.

export interface Attempt {
  lines?: StreamLine[];
  fixture?: string;
  exitCode?: number;
  stderr?: string;
  chunkDelayMs?: number;
  hang?: boolean;
  writeFiles?: Record<string, string>;
  /** Without sessionId: the fake uses the --session-id it was given. */
  transcript?: { sessionId?: string; lines: Record<string, unknown>[] };
  /** SIGTERM is recorded in signals.jsonl and ignored: only SIGKILL stops the call. */
  ignoreSigterm?: boolean;
  /** Leaves a process in a session of its own holding claude's stderr (its pid in daemon.pid). */
  daemonHoldingStderr?: boolean;
}

export interface Scenario {
  attempts: Attempt[];
}

/** A call that answers with one short message of `model` and succeeds: for tests about something else. */
export function answeringAttempt(model: string = SONNET): Attempt {
  return {
    lines: [
      init('sess', model),
      ...assistant({ id: 'msg', model, usage: snapshot(10), blocks: 1 }),
      result({ modelUsage: { [model]: billed(10, 1, 0, 0, 0.001) } }),
    ],
  };
}

export interface RecordedCall {
  attempt: number;
  argv: string[];
  stdin: string;
  cwd: string;
  pid: number;
  /** CLAUDE_PROJECT_TASK_PATH and CLAUDE_PROJECT_STEP_NAME as claude got them (a kill cannot cut these). */
  task: string | null;
  step: string | null;
  /** The names of the ANTHROPIC_* environment variables claude got. */
  anthropicVariables: string[];
}

// ---------------------------------------------------------------------------------------------
// Projects.

export interface StepConfig {
  name: string;
  prompt: string;
  model?: string;
  check?: { command: string; retries?: number };
  timeoutSeconds?: number;
}

/** A config object with the fake claude as claude.command. */
export function config(pipeline: StepConfig[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: SONNET, claude: { command: FAKE_CLAUDE }, ...extra, pipeline };
}

export interface RunOptions {
  /** Added to (or, when undefined, removed from) the CLI's environment. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  cwd?: string;
  /** The CLI leads a process group of its own (signal it and its claude at once, as Ctrl-C does). */
  detached?: boolean;
}

export interface CliResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** A task's state file and logs folder name, as the README's "What it writes" gives it. */
export { taskFileName };

/** Removes every temp folder made by this test file (kept when KEEP_TMP is set). */
export const cleanup = removeTempDirs;

export class Project {
  /** Task files written through `writeFile`, relative to the project folder. */
  private readonly taskFiles: string[] = [];

  private constructor(
    /** Holds project/, home/, record/ and scenario.json. */
    readonly base: string,
  ) {}

  /** The project folder: config, tasks, .claude-project/. The CLI runs here. */
  get dir(): string {
    return path.join(this.base, 'project');
  }
  /** HOME of the CLI (and so of the fake claude): where session transcripts go. */
  get home(): string {
    return path.join(this.base, 'home');
  }
  get recordDir(): string {
    return path.join(this.base, 'record');
  }
  get scenarioFile(): string {
    return path.join(this.base, 'scenario.json');
  }
  get configFile(): string {
    return path.join(this.dir, 'claude-project.yaml');
  }
  get stateDir(): string {
    return path.join(this.dir, '.claude-project', 'state');
  }
  get logsDir(): string {
    return path.join(this.dir, '.claude-project', 'logs');
  }

  static async create(
    options: { config?: Record<string, unknown> | string; tasks?: Record<string, string>; scenario?: Scenario } = {},
  ): Promise<Project> {
    // realpath: the fake records process.cwd(), which is always the real path.
    const base = await realpath(await tempDir('cp-int-'));
    const project = new Project(base);
    await mkdir(project.dir, { recursive: true });
    await mkdir(project.home, { recursive: true });
    if (options.config !== undefined) await project.writeConfig(options.config);
    for (const [file, text] of Object.entries(options.tasks ?? {})) await project.writeFile(file, text);
    await project.writeScenario(options.scenario ?? { attempts: [{ lines: [], exitCode: 99 }] });
    return project;
  }

  async writeConfig(value: Record<string, unknown> | string): Promise<void> {
    await writeFile(this.configFile, typeof value === 'string' ? value : stringify(value));
  }

  async writeFile(relative: string, text: string): Promise<void> {
    const file = path.join(this.dir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    if (relative.toLowerCase().endsWith('.md') && !this.taskFiles.includes(relative)) this.taskFiles.push(relative);
  }

  /**
   * The state/logs name of a task: given its path (`tasks/a b.md`), or the name of a task file
   * written with `writeFile` (`a b`, or its slug `a-b`) when only one has it.
   */
  taskName(task: string): string {
    if (task.toLowerCase().endsWith('.md')) return taskFileName(task);
    const base = (file: string): string => path.basename(file).replace(/\.md$/i, '');
    const matches = this.taskFiles.filter((file) => base(file) === task || taskFileName(file).replace(/-[0-9a-f]{8}$/, '') === task);
    if (matches.length !== 1) throw new Error(`test helper: ${matches.length} task files named ${task}; pass the task path`);
    return taskFileName(matches[0]!);
  }

  async writeScenario(scenario: Scenario): Promise<void> {
    await writeFile(this.scenarioFile, JSON.stringify(scenario, null, 2));
  }

  /** Runs `node dist/bundle/cli.js ...args` in the project folder. */
  async run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const started = Date.now();
    const res = await this.start(args, options);
    return { exitCode: res.exitCode, stdout: String(res.stdout), stderr: String(res.stderr), durationMs: Date.now() - started };
  }

  /** Starts the CLI without waiting for it (to signal or race it); await the result for its end. */
  start(args: string[], options: RunOptions = {}) {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value === undefined) continue;
      // Nothing of the caller's Claude setup, not jest's --experimental-vm-modules, and no job summary or
      // step outputs written into the GitHub Actions job these tests may run in.
      if (key.startsWith('CLAUDE_') || key.startsWith('ANTHROPIC_') || key.startsWith('FAKE_CLAUDE') || key === 'NODE_OPTIONS') continue;
      if (key.startsWith('GITHUB_')) continue;
      // nor metrics sent to a collector of the caller's (a test names its own)
      if (key.startsWith('OTEL_')) continue;
      // nor the machine's extra CA certificates: nothing these processes reach speaks TLS, and Node
      // reads the file at every start (a system bundle: about 45 ms of CPU per CLI or fake claude)
      if (key === 'NODE_EXTRA_CA_CERTS') continue;
      env[key] = value;
    }
    Object.assign(env, {
      HOME: this.home,
      FAKE_CLAUDE_SCENARIO: this.scenarioFile,
      FAKE_CLAUDE_RECORD: this.recordDir,
      NO_COLOR: '1',
      // shared by every project's CLI
      CLAUDE_PROJECT_COMPILE_CACHE: SUITE_COMPILE_CACHE,
    });
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    return execa(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? this.dir,
      env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      // a safety net against a hung CLI, not a measure: on a loaded 2-core machine a run can take a minute
      timeout: options.timeoutMs ?? 150_000,
      detached: options.detached ?? false,
    });
  }

  /** Every call the fake claude recorded, in order. */
  async calls(): Promise<RecordedCall[]> {
    const file = path.join(this.recordDir, 'calls.jsonl');
    if (!existsSync(file)) return [];
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RecordedCall);
  }

  taskStateFile(task: string): string {
    return path.join(this.stateDir, `${this.taskName(task)}.state.json`);
  }

  get sequenceStateFile(): string {
    return path.join(this.stateDir, 'sequence.state.json');
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async taskState(task: string): Promise<any> {
    return JSON.parse(await readFile(this.taskStateFile(task), 'utf8'));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async sequenceState(): Promise<any> {
    return JSON.parse(await readFile(this.sequenceStateFile, 'utf8'));
  }

  stepLogBase(task: string, index: number, step: string): string {
    return path.join(this.logsDir, this.taskName(task), `${String(index + 1).padStart(2, '0')}-${step}`);
  }

  /** The readable `.log` and raw `.jsonl` of step `index` (0-based) of a task. */
  async stepLogs(task: string, index: number, step: string): Promise<{ log: string; jsonl: string }> {
    const base = this.stepLogBase(task, index, step);
    return { log: await readFile(`${base}.log`, 'utf8'), jsonl: await readFile(`${base}.jsonl`, 'utf8') };
  }

  /** Every file under the project folder, path → bytes (base64): to prove nothing changed. */
  async snapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          out[`${path.relative(this.dir, full)}/`] = '';
          await walk(full);
        } else out[path.relative(this.dir, full)] = (await readFile(full)).toString('base64');
      }
    };
    await walk(this.dir);
    return out;
  }
}

/** The marker lines of a raw `.jsonl` step log. */
export function markers(jsonl: string): Array<{ type: string; event: string; attempt: number; [key: string]: unknown }> {
  return jsonl
    .split('\n')
    .filter((line) => line.includes('"type":"claude_project"'))
    .map((line) => JSON.parse(line) as { type: string; event: string; attempt: number });
}

/** The raw lines between the attempt_start and attempt_end markers of attempt `n`. */
export function attemptSection(jsonl: string, n: number): string[] {
  const lines = jsonl.split('\n');
  const start = lines.findIndex(
    (l) => l.includes('"type":"claude_project"') && l.includes('"event":"attempt_start"') && l.includes(`"attempt":${n},`),
  );
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.includes('"type":"claude_project"') && l.includes('"event":"attempt_end"'));
  expect(end).toBeGreaterThanOrEqual(0);
  return rest.slice(0, end).filter((l) => l.length > 0);
}

/** The stream lines as the fake prints them. */
export function printed(lines: StreamLine[]): string[] {
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `condition` every 25 ms until it holds; fails after `timeoutMs`. The default is long: the
 * wait ends as soon as the condition holds (an event), and on a loaded 2-core machine, with
 * concurrent tests each starting several processes, a start can take over 10 s.
 */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Whether a process is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * How long one fake claude call takes on this machine right now (start to exit, printing a few
 * lines): the unit for a product timeout a test must set (`timeoutSeconds`), which has to leave
 * the fake time to start and print whatever the load.
 */
export async function measureFakeClaudeMs(): Promise<number> {
  const base = await realpath(await tempDir('cp-spawn-'));
  const scenario = path.join(base, 'scenario.json');
  await writeFile(scenario, JSON.stringify({ attempts: [{ lines: [init('measure'), { type: 'result', subtype: 'success' }] }] }));
  const started = performance.now();
  await execa(process.execPath, [FAKE_CLAUDE], {
    cwd: base,
    env: { FAKE_CLAUDE_SCENARIO: scenario, FAKE_CLAUDE_RECORD: path.join(base, 'record'), HOME: base },
    extendEnv: false,
    input: 'measure\n',
  });
  return performance.now() - started;
}

/**
 * A `timeoutSeconds` for a call that prints and then hangs: at least `least`, and long enough
 * (several times a measured fake claude call) that the fake has printed everything before it.
 */
export async function hangTimeoutSeconds(least = 2): Promise<number> {
  return Math.max(least, Math.ceil((6 * (await measureFakeClaudeMs())) / 1000));
}

/** Calls of the fake that reached a `$park` (or `$waitFor`, with folder `waiting`): their numbers. */
export function markedCalls(project: Project, folder: 'parked' | 'waiting' = 'parked'): number[] {
  const dir = path.join(project.recordDir, folder);
  return existsSync(dir) ? readdirSync(dir).map(Number) : [];
}
