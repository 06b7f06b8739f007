/**
 * Helpers for the reconcile tests: state files written by hand with attempts at chosen times
 * (the bill is per minute, so the tests choose the minutes), and the environment that points
 * the built CLI at a fake Admin API.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FakeAdminApi } from '../../examples/fake-api/admin-server.mjs';
import type { ModelTokenUsage, TokenUsage } from './helpers.js';
import { sumUsage, taskFileName, totalOf } from './helpers.js';

export const MINUTE = 60_000;
export const RUNS_KEY = 'sk-ant-api03-runs-only-key-R1Nx';
export const RUNS_KEY_ID = 'apikey_01RunsOnly';
export const OTHER_KEY = 'sk-ant-api03-someone-else-Q7zz';
export const OTHER_KEY_ID = 'apikey_02SomeoneElse';

/** The start of the minute `minutesAgo` minutes before now. */
export function minuteStart(minutesAgo: number, now = Date.now()): number {
  return Math.floor(now / MINUTE) * MINUTE - minutesAgo * MINUTE;
}

/** `oneHour`: the part of the cache write recorded as 1-hour writes. */
export function counts(input: number, output: number, cacheWrite: number, cacheRead: number, costUsd = 0, oneHour = 0): TokenUsage {
  return {
    inputTokens: input,
    outputTokens: output,
    cacheCreationInputTokens: cacheWrite,
    cacheReadInputTokens: cacheRead,
    cacheCreation5mInputTokens: cacheWrite - oneHour,
    cacheCreation1hInputTokens: oneHour,
    costUsd,
  };
}

export interface HandAttempt {
  start: number;
  end: number;
  usage: ModelTokenUsage;
}

/** A finished task state whose one step has these attempts. */
export function taskState(taskPath: string, attempts: HandAttempt[]): Record<string, unknown> {
  const usage = sumUsage(...attempts.map((a) => a.usage));
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    version: 1,
    taskPath,
    taskName: path.basename(taskPath, '.md'),
    phase: 'done',
    steps: [
      {
        name: 'work',
        status: 'done',
        model: 'claude-sonnet-4-5',
        attempts: attempts.map((a, i) => ({
          attempt: i + 1,
          model: 'claude-sonnet-4-5',
          outcome: 'passed',
          startedAt: iso(a.start),
          endedAt: iso(a.end),
          durationMs: a.end - a.start,
          usage: a.usage,
          usageSource: 'result',
          malformedLines: 0,
        })),
        usage,
        usageSource: 'result',
      },
    ],
    tokenUsage: usage,
    totalCostUsd: totalOf(usage).costUsd,
    malformedLines: 0,
    createdAt: iso(attempts[0]!.start),
    updatedAt: iso(attempts.at(-1)!.end),
  };
}

export async function writeTaskState(stateDir: string, taskPath: string, attempts: HandAttempt[]): Promise<string> {
  const file = path.join(stateDir, `${taskFileName(taskPath)}.state.json`);
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(taskState(taskPath, attempts), null, 2)}\n`);
  return file;
}

/** Bills each model's counts to `apiKey` at `at`, as the Messages API would have. */
export function bill(admin: FakeAdminApi, apiKey: string, at: number, usage: ModelTokenUsage, oneHour = 0): void {
  for (const [model, u] of Object.entries(usage)) {
    admin.bill({
      at,
      apiKey,
      model,
      usage: {
        input_tokens: u.inputTokens,
        output_tokens: u.outputTokens,
        cache_creation_input_tokens: u.cacheCreationInputTokens,
        cache_read_input_tokens: u.cacheReadInputTokens,
        cache_creation: { ephemeral_5m_input_tokens: u.cacheCreationInputTokens - oneHour, ephemeral_1h_input_tokens: oneHour },
      },
    });
  }
}

/** The environment that reconciles against `admin`, with the runs' key id set unless told otherwise. */
export function adminEnv(admin: FakeAdminApi, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { ANTHROPIC_ADMIN_KEY: admin.adminKey, CLAUDE_PROJECT_ADMIN_API_URL: admin.url, CLAUDE_PROJECT_API_KEY_ID: RUNS_KEY_ID, ...extra };
}

export const usageReads = (admin: FakeAdminApi): number =>
  admin.requests.filter((r) => r.path === '/v1/organizations/usage_report/messages').length;
