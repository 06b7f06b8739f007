// The Admin API client's bounds: cursors, page counts, timeouts, redirects, and what its messages may show.
import { DATED_MODELS, startFakeAdminApi } from '../../examples/fake-api/admin-server.mjs';
import { AdminClient } from '../../src/billing/admin-api/client.js';
import { AdminApiPagingError, AdminApiRedirectError, AdminApiUnavailableError } from '../../src/billing/admin-api/errors.js';
import { MAX_PAGES, PageGuard, pageBound } from '../../src/billing/admin-api/paginate.js';
import { redactKeys } from '../../src/billing/admin-api/redact-keys.js';
import { requireHeaderSafeKey } from '../../src/billing/admin-api/header-safe-key.js';
import { fetchUsageBuckets } from '../../src/billing/admin-api/usage-report.js';

const noWait = async (): Promise<void> => undefined;

test('keys in a message are cut to their first 10 characters, wherever they stand', () => {
  expect(redactKeys('invalid x-api-key: sk-ant-admin01-abcdefghijklmnop')).toBe('invalid x-api-key: sk-ant-adm…');
  expect(redactKeys('Headers.append: "sk-ant-admin01-abc\ndef" is an invalid header value')).toBe(
    'Headers.append: "sk-ant-adm…\ndef" is an invalid header value',
  );
  expect(redactKeys('keys (sk-ant-api03-one-1111, sk-ant-api03-two-2222)')).toBe('keys (sk-ant-api…, sk-ant-api…)');
  expect(redactKeys('nothing secret here')).toBe('nothing secret here');
});

describe('a key that cannot be a header value', () => {
  test('a whole key passes', () => {
    expect(() => requireHeaderSafeKey('ANTHROPIC_ADMIN_KEY', 'sk-ant-admin01-Ab_9-xyz')).not.toThrow();
  });

  test.each([
    ['a line break', 'sk-ant-admin01-abc\ndef'],
    ['a space', 'sk-ant-admin01 abc'],
    ['a tab', 'sk-ant-admin01-abc\tdef'],
    ['the … of a placeholder', 'sk-ant-admin…'],
  ])('%s: a settings error (exit 2) naming the variable, never the value', (_, key) => {
    let error: unknown;
    try {
      requireHeaderSafeKey('ANTHROPIC_ADMIN_KEY', key);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringContaining('ANTHROPIC_ADMIN_KEY is not a usable key') });
    expect((error as Error).message).not.toContain('sk-ant-admin0');
  });
});

describe('paging bounds', () => {
  test('a window can fill one page per bucket, plus one; never more than the hard cap', () => {
    expect(pageBound(3)).toBe(4);
    expect(pageBound(0)).toBe(1);
    expect(pageBound(10_000_000)).toBe(MAX_PAGES);
  });

  test('a cursor seen before stops the list at once, naming the endpoint', () => {
    const guard = new PageGuard('/v1/x', 100);
    guard.next('a');
    guard.next('b');
    expect(() => guard.next('a')).toThrow(AdminApiPagingError);
    expect(() => new PageGuard('/v1/x', 100).next('a')).not.toThrow();
  });

  test('new cursors past the bound stop the list', () => {
    const guard = new PageGuard('/v1/x', 3);
    guard.next('a');
    guard.next('b');
    expect(() => guard.next('c')).toThrow('the Admin API /v1/x would not stop paging: still more after 3 pages');
  });
});

describe('the client against a fake Admin API', () => {
  test('no answer: each try ends at the timeout, then unavailable, saying how long it waited', async () => {
    const admin = await startFakeAdminApi();
    try {
      admin.hang = true;
      const client = new AdminClient({
        baseUrl: admin.url,
        adminKey: admin.adminKey,
        sleep: noWait,
        serverErrorTries: 2,
        requestTimeoutMs: 1000,
      });
      const failure = client.get('/v1/organizations/api_keys', {});
      await expect(failure).rejects.toBeInstanceOf(AdminApiUnavailableError);
      await expect(failure).rejects.toThrow('/v1/organizations/api_keys: did not answer within 1s, 2 tries');
      expect(client.reads).toBe(2);
      // On a loaded machine a try may time out before its request is even sent: at most two arrive.
      expect(admin.requests.length).toBeLessThanOrEqual(2);
    } finally {
      await admin.close();
    }
  });

  test('a redirect that stays within the configured URL is followed, but not round and round', async () => {
    const admin = await startFakeAdminApi();
    try {
      admin.redirectTo = admin.url;
      const client = new AdminClient({ baseUrl: admin.url, adminKey: admin.adminKey, sleep: noWait });
      await expect(client.get('/v1/organizations/api_keys', {})).rejects.toThrow(
        'the Admin API redirected /v1/organizations/api_keys more than 3 times',
      );
      expect(admin.requests).toHaveLength(4);
      admin.redirectTo = null;
      await expect(client.get('/v1/organizations/api_keys', {})).resolves.toMatchObject({ data: [] });
    } finally {
      await admin.close();
    }
  });

  test('a redirect to a path outside the configured URL is refused before anything is sent there', async () => {
    const admin = await startFakeAdminApi();
    try {
      admin.redirectTo = admin.url;
      const client = new AdminClient({ baseUrl: `${admin.url}/v1`, adminKey: admin.adminKey, sleep: noWait });
      // `/v1/x` redirects to itself: under /v1, so followed, until the hop limit.
      await expect(client.get('/x', {})).rejects.toThrow('more than 3 times');
      const outside = new AdminClient({ baseUrl: `${admin.url}/proxy`, adminKey: admin.adminKey, sleep: noWait });
      admin.redirectTo = `${admin.url}/elsewhere`;
      const before = admin.requests.length;
      const refused = outside.get('/x', {});
      await expect(refused).rejects.toBeInstanceOf(AdminApiRedirectError);
      await expect(refused).rejects.toThrow(`(HTTP 302) to ${admin.url}/elsewhere/proxy/x, away from the configured Admin API URL`);
      expect(admin.requests.length - before).toBe(1);
    } finally {
      await admin.close();
    }
  });

  test('with datedModels the usage report names the dated snapshot, as the real API does', async () => {
    const admin = await startFakeAdminApi({ apiKeys: [{ id: 'apikey_01A', key: 'sk-ant-api03-aaaa-1111' }] });
    try {
      admin.datedModels = true;
      const start = Date.parse('2026-11-29T12:00:00Z');
      admin.bill({ at: start + 5_000, apiKey: 'sk-ant-api03-aaaa-1111', model: 'claude-sonnet-4-5', usage: { input_tokens: 7 } });
      const client = new AdminClient({ baseUrl: admin.url, adminKey: admin.adminKey, sleep: noWait });
      const buckets = await fetchUsageBuckets(client, { start: '2026-11-29T12:00:00.000Z', end: '2026-11-29T12:01:00.000Z' }, 'apikey_01A');
      expect(Object.keys(buckets[0]!.models)).toEqual([DATED_MODELS['claude-sonnet-4-5']]);
      expect(DATED_MODELS['claude-sonnet-4-5']).toBe('claude-sonnet-4-5-20250929');
    } finally {
      await admin.close();
    }
  });
});
