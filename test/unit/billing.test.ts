import { startFakeAdminApi } from '../../examples/fake-api/admin-server.mjs';
import { hintMatches } from '../../src/billing/admin-api/discover-key.js';
import { AdminClient, queryString, retryAfterMs } from '../../src/billing/admin-api/client.js';
import { AdminApiUnavailableError } from '../../src/billing/admin-api/errors.js';
import { compareWithBill, decideStatus } from '../../src/billing/reconcile/decide.js';
import { wholeDays } from '../../src/billing/admin-api/cost-report.js';
import type { BilledCounts, UsageBucket } from '../../src/billing/types.js';
import { fetchUsageBuckets } from '../../src/billing/admin-api/usage-report.js';
import { sumBuckets } from '../../src/billing/admin-api/sum-usage-buckets.js';
import { closeOverSharedMinutes } from '../../src/billing/reconcile/shared-minutes.js';
import { minuteWindow } from '../../src/billing/reconcile/window.js';
import type { ModelTokenUsage } from '../../src/usage/types.js';
import { fetchSettles } from '../support/fetch-settled.js';

let settled: () => Promise<void>;
beforeAll(() => {
  settled = fetchSettles();
});
afterAll(() => settled());

const at = (iso: string): number => Date.parse(iso);

function billedCounts(input: number, output: number, write5m: number, write1h: number, read: number): BilledCounts {
  return {
    inputTokens: input,
    outputTokens: output,
    cacheCreationInputTokens: write5m + write1h,
    cacheCreation5mInputTokens: write5m,
    cacheCreation1hInputTokens: write1h,
    cacheReadInputTokens: read,
  };
}

const recorded = (input: number, output: number, write: number, read: number, oneHour = 0): ModelTokenUsage => ({
  'claude-sonnet-4-5': {
    inputTokens: input,
    outputTokens: output,
    cacheCreationInputTokens: write,
    cacheReadInputTokens: read,
    cacheCreation5mInputTokens: write - oneHour,
    cacheCreation1hInputTokens: oneHour,
    costUsd: 1,
  },
});

describe('window', () => {
  test('a run from :59.9 to :00.1 spans two minute buckets', () => {
    expect(minuteWindow(at('2026-11-30T12:03:59.900Z'), at('2026-11-30T12:04:00.100Z'))).toEqual({
      start: '2026-11-30T12:03:00.000Z',
      end: '2026-11-30T12:05:00.000Z',
    });
  });

  test('a run inside one minute is that minute; an end exactly on the minute takes that minute too', () => {
    expect(minuteWindow(at('2026-11-30T12:03:10Z'), at('2026-11-30T12:03:50Z'))).toEqual({
      start: '2026-11-30T12:03:00.000Z',
      end: '2026-11-30T12:04:00.000Z',
    });
    expect(minuteWindow(at('2026-11-30T12:03:10Z'), at('2026-11-30T12:04:00Z'))).toEqual({
      start: '2026-11-30T12:03:00.000Z',
      end: '2026-11-30T12:05:00.000Z',
    });
  });

  test('the cost report covers the whole UTC days a window touches', () => {
    expect(wholeDays({ start: '2026-11-30T23:59:00.000Z', end: '2026-12-01T00:01:00.000Z' })).toEqual({
      start: '2026-11-30T00:00:00.000Z',
      end: '2026-12-02T00:00:00.000Z',
    });
  });

  test('tasks chained by shared minutes are checked together; a task apart is not pulled in', () => {
    const w = (start: string, end: string) => ({ start, end });
    const a = { taskPath: 'a', window: w('2026-11-30T12:00:00Z', '2026-11-30T12:02:00Z') };
    const b = { taskPath: 'b', window: w('2026-11-30T12:01:00Z', '2026-11-30T12:03:00Z') };
    const c = { taskPath: 'c', window: w('2026-11-30T12:02:00Z', '2026-11-30T12:04:00Z') };
    const d = { taskPath: 'd', window: w('2026-11-30T12:04:00Z', '2026-11-30T12:05:00Z') };
    expect(closeOverSharedMinutes([a], [a, b, c, d]).map((t) => t.taskPath)).toEqual(['a', 'b', 'c']);
  });
});

describe('bucket sums', () => {
  test('per model over the buckets inside the window, the 5m/1h split kept', () => {
    const buckets: UsageBucket[] = [
      { startingAt: '2026-11-30T12:02:00Z', endingAt: '2026-11-30T12:03:00Z', models: { m: billedCounts(1000, 1000, 1000, 1000, 1000) } },
      {
        startingAt: '2026-11-30T12:03:00Z',
        endingAt: '2026-11-30T12:04:00Z',
        models: { m: billedCounts(1, 2, 3, 4, 5), n: billedCounts(7, 0, 0, 0, 0) },
      },
      { startingAt: '2026-11-30T12:04:00Z', endingAt: '2026-11-30T12:05:00Z', models: { m: billedCounts(10, 20, 30, 40, 50) } },
    ];
    expect(sumBuckets(buckets, { start: '2026-11-30T12:03:00.000Z', end: '2026-11-30T12:05:00.000Z' })).toEqual({
      m: billedCounts(11, 22, 33, 44, 55),
      n: billedCounts(7, 0, 0, 0, 0),
    });
  });
});

describe('status rules', () => {
  const end = '2026-11-30T12:05:00.000Z';
  const justAfter = at(end) + 60_000;
  const settled = at(end) + 10 * 60_000;

  test('equal everywhere: verified', () => {
    const comparison = compareWithBill(recorded(10, 20, 30, 40, 5), { 'claude-sonnet-4-5': billedCounts(10, 20, 25, 5, 40) });
    expect(comparison.difference).toEqual({});
    expect(decideStatus(comparison, end, justAfter, 10)).toBe('verified');
  });

  test('the same cache writes split otherwise between 5m and 1h: mismatch at once (they are priced differently)', () => {
    const comparison = compareWithBill(recorded(10, 20, 30, 40), { 'claude-sonnet-4-5': billedCounts(10, 20, 25, 5, 40) });
    expect(comparison.difference['claude-sonnet-4-5']).toMatchObject({ cacheCreation5mInputTokens: -5, cacheCreation1hInputTokens: 5 });
    expect(decideStatus(comparison, end, justAfter, 10)).toBe('mismatch');
  });

  test('billed higher anywhere: mismatch at once', () => {
    const comparison = compareWithBill(recorded(10, 20, 30, 40), { 'claude-sonnet-4-5': billedCounts(10, 21, 30, 0, 40) });
    expect(comparison.difference).toEqual({
      'claude-sonnet-4-5': {
        inputTokens: 0,
        outputTokens: 1,
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 0,
        cacheCreation5mInputTokens: 0,
        cacheCreation1hInputTokens: 0,
      },
    });
    expect(decideStatus(comparison, end, justAfter, 10)).toBe('mismatch');
  });

  test('a model billed that was never recorded: mismatch', () => {
    const comparison = compareWithBill(recorded(10, 20, 30, 40), {
      'claude-sonnet-4-5': billedCounts(10, 20, 30, 0, 40),
      'claude-haiku-4-5': billedCounts(1, 0, 0, 0, 0),
    });
    expect(decideStatus(comparison, end, justAfter, 10)).toBe('mismatch');
  });

  test('billed lower or absent: pending while young, mismatch once settleMinutes have passed', () => {
    const comparison = compareWithBill(recorded(10, 20, 30, 40), {});
    expect(comparison.difference['claude-sonnet-4-5']).toEqual({
      inputTokens: -10,
      outputTokens: -20,
      cacheCreationInputTokens: -30,
      cacheReadInputTokens: -40,
      cacheCreation5mInputTokens: -30,
      cacheCreation1hInputTokens: 0,
    });
    expect(decideStatus(comparison, end, justAfter, 10)).toBe('pending');
    expect(decideStatus(comparison, end, settled - 1, 10)).toBe('pending');
    expect(decideStatus(comparison, end, settled, 10)).toBe('mismatch');
  });

  test('higher in one count and lower in another: mismatch, not pending', () => {
    const comparison = compareWithBill(recorded(10, 20, 30, 40), { 'claude-sonnet-4-5': billedCounts(11, 0, 30, 0, 40) });
    expect(decideStatus(comparison, end, justAfter, 10)).toBe('mismatch');
  });
});

describe('client', () => {
  test('arrays are sent as repeated name[] parameters', () => {
    expect(queryString({ group_by: ['model'], api_key_ids: ['apikey_1', 'apikey_2'], limit: 3, page: undefined })).toBe(
      'group_by%5B%5D=model&api_key_ids%5B%5D=apikey_1&api_key_ids%5B%5D=apikey_2&limit=3',
    );
  });

  test('retry-after in seconds or as an HTTP date', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs('Mon, 30 Nov 2026 12:00:30 GMT', at('2026-11-30T12:00:00Z'))).toBe(30_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  test('pages are followed until has_more is false; every bucket is read once', async () => {
    const admin = await startFakeAdminApi({ apiKeys: [{ id: 'apikey_01A', key: 'sk-ant-api03-aaaa-1111' }], pageSize: 2 });
    try {
      const start = at('2026-11-29T12:00:00Z');
      for (let minute = 0; minute < 5; minute++) {
        admin.bill({
          at: start + minute * 60_000 + 5_000,
          apiKey: 'sk-ant-api03-aaaa-1111',
          model: 'm',
          usage: { input_tokens: minute + 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        });
      }
      const client = new AdminClient({ baseUrl: admin.url, adminKey: admin.adminKey, sleep: async () => undefined });
      const buckets = await fetchUsageBuckets(client, { start: '2026-11-29T12:00:00.000Z', end: '2026-11-29T12:05:00.000Z' }, 'apikey_01A');
      expect(buckets.map((b) => b.models.m?.inputTokens)).toEqual([1, 2, 3, 4, 5]);
      expect(client.reads).toBe(3);
    } finally {
      await admin.close();
    }
  });

  test('5xx: backs off and retries, then gives up as unavailable', async () => {
    const admin = await startFakeAdminApi();
    try {
      admin.failNext(500, { times: 2 });
      const waits: number[] = [];
      const client = new AdminClient({
        baseUrl: admin.url,
        adminKey: admin.adminKey,
        sleep: async (ms) => void waits.push(ms),
        backoffMs: 100,
      });
      await expect(client.get('/v1/organizations/api_keys', {})).resolves.toMatchObject({ data: [] });
      expect(waits).toEqual([100, 200]);
      admin.failNext(502, { times: 4 });
      await expect(client.get('/v1/organizations/api_keys', {})).rejects.toBeInstanceOf(AdminApiUnavailableError);
    } finally {
      await admin.close();
    }
  });
});

test('partial_key_hint matching: start and end of the key, never a key shorter than the hint', () => {
  expect(hintMatches('sk-ant-...R1Nx', 'sk-ant-api03-runs-R1Nx')).toBe(true);
  expect(hintMatches('sk-ant-...R1Nx', 'sk-ant-api03-runs-R1Ny')).toBe(false);
  expect(hintMatches('sk-ant-...R1Nx', 'sk-antR1Nx')).toBe(false);
  expect(hintMatches('no dots here', 'no dots here')).toBe(false);
});
