// reconcile's Admin API client against a fake Admin API that misbehaves: lists that never end,
// a server that never answers, a redirect to another origin, keys that cannot be a header,
// and the shapes the real API answers with (keys without a hint, keys that are not active).
import { readFileSync } from 'node:fs';
import { startFakeAdminApi, type FakeAdminApi } from '../../examples/fake-api/admin-server.mjs';
import { Project, SONNET, cleanup, config } from './helpers.js';
import {
  MINUTE,
  OTHER_KEY,
  OTHER_KEY_ID,
  RUNS_KEY,
  RUNS_KEY_ID,
  adminEnv,
  bill,
  counts,
  minuteStart,
  usageReads,
  writeTaskState,
} from './reconcile-helpers.js';

afterAll(cleanup);

const USAGE_PATH = '/v1/organizations/usage_report/messages';
const KEYS_PATH = '/v1/organizations/api_keys';
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let admin: FakeAdminApi;
const others: FakeAdminApi[] = [];
beforeEach(async () => {
  admin = await startFakeAdminApi({
    apiKeys: [
      { id: RUNS_KEY_ID, key: RUNS_KEY, name: 'claude-project runs' },
      { id: OTHER_KEY_ID, key: OTHER_KEY, name: 'someone else' },
    ],
    pageSize: 2,
  });
});
afterEach(async () => {
  await admin.close();
  await Promise.all(others.splice(0).map((other) => other.close()));
});

const keyReads = (api: FakeAdminApi): number => api.requests.filter((r) => r.path === KEYS_PATH).length;

/** Half an hour ago, over three minutes, billed exactly as recorded. */
async function settledProject(billing: Record<string, unknown> = {}): Promise<Project> {
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'Work' }], { billing }),
    tasks: { 'tasks/a.md': 'A\n' },
  });
  const first = minuteStart(30);
  const usage = { [SONNET]: counts(1200, 340, 2000, 5000, 0.05) };
  await writeTaskState(project.stateDir, 'tasks/a.md', [{ start: first + 15_000, end: first + 2 * MINUTE + 5_000, usage }]);
  bill(admin, RUNS_KEY, first + 20_000, usage);
  return project;
}

describe('lists that never end are an error after a few requests', () => {
  test('the usage report repeats its next_page: exit 1 naming the endpoint after two requests, the state unchanged', async () => {
    const project = await settledProject();
    const before = await project.snapshot();
    admin.repeatCursor = true;
    const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain(`the Admin API ${USAGE_PATH} would not stop paging: page 2 gave the same cursor as an earlier page`);
    expect(res.stderr).not.toContain('    at ');
    expect(usageReads(admin)).toBe(2);
    expect(await project.snapshot()).toEqual(before);
  });

  test('the usage report pages on with new cursors: exit 1 once there are more pages than the window has minutes, plus one', async () => {
    const project = await settledProject();
    admin.endlessPages = true;
    const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain(`the Admin API ${USAGE_PATH} would not stop paging: still more after 4 pages`);
    expect(usageReads(admin)).toBe(4); // a three-minute window
  });

  test('api_keys repeats its last_id: exit 1 naming the endpoint after two requests', async () => {
    const project = await settledProject();
    admin.repeatCursor = true;
    const res = await project.run(['reconcile', 'tasks/a.md'], {
      env: adminEnv(admin, { CLAUDE_PROJECT_API_KEY_ID: undefined, ANTHROPIC_API_KEY: RUNS_KEY }),
    });
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain(`the Admin API ${KEYS_PATH} would not stop paging: page 2 gave the same cursor as an earlier page`);
    expect(keyReads(admin)).toBe(2);
    expect(usageReads(admin)).toBe(0);
  });
});

test('a server that accepts the request and never answers: each try ends at requestTimeoutSeconds, then exit 75', async () => {
  const project = await settledProject({ requestTimeoutSeconds: 1 });
  const before = await project.snapshot();
  admin.hang = true;
  const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin), timeoutMs: 60_000 });
  expect(res.exitCode).toBe(75);
  expect(res.stderr).toContain(`the Admin API is unavailable (${USAGE_PATH}: did not answer within 1s, 4 tries)`);
  // Four tries; on a loaded machine one may time out before its request is even sent.
  expect(usageReads(admin)).toBeGreaterThan(0);
  expect(usageReads(admin)).toBeLessThanOrEqual(4);
  expect(await project.snapshot()).toEqual(before);
});

test('pollSeconds longer than a timer holds is a settings error naming it (it polled in a tight loop)', async () => {
  const project = await settledProject({ pollSeconds: 3_000_000 });
  const res = await project.run(['reconcile', 'tasks/a.md', '--wait'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(2);
  expect(res.stderr).toMatch(
    /claude-project\.yaml:\d+: billing\.pollSeconds: expected a number ≤ 2147483 \(about 24 days, the longest timer Node\.js keeps\), got 3000000/,
  );
  expect(admin.requests).toEqual([]);
});

test('requestTimeoutSeconds below 1 is a settings error naming it', async () => {
  const project = await settledProject({ requestTimeoutSeconds: 0 });
  const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(2);
  expect(res.stderr).toMatch(/claude-project\.yaml:\d+: billing\.requestTimeoutSeconds: expected a number ≥ 1, got 0/);
  expect(admin.requests).toEqual([]);
});

test('a redirect to another origin is refused (exit 1 naming it): the admin key never reaches it', async () => {
  const other = await startFakeAdminApi({ apiKeys: [{ id: RUNS_KEY_ID, key: RUNS_KEY }] });
  others.push(other);
  const project = await settledProject();
  admin.redirectTo = other.url;
  const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(1);
  expect(res.stderr).toContain(`the Admin API redirected ${USAGE_PATH} (HTTP 302) to ${other.url}, away from the configured Admin API URL`);
  expect(other.requests.filter((r) => r.headers['x-api-key'] !== undefined)).toEqual([]);
  expect(other.requests).toEqual([]);
});

test('a redirect to a URL with a user name and password in it is refused (exit 1), not retried as a network error', async () => {
  const project = await settledProject();
  admin.redirectTo = admin.url.replace('http://', 'http://someone:hunter2@');
  const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
  admin.redirectTo = null;
  expect(res.exitCode).toBe(1);
  expect(res.stderr).toContain(`the Admin API redirected ${USAGE_PATH} (HTTP 302) to a URL that carries a user name or password`);
  expect(res.stderr).not.toContain('hunter2');
  expect(usageReads(admin)).toBe(1);
});

describe('a key that cannot be an HTTP header value is a settings error that never shows it', () => {
  test.each([
    ['a line break inside', `${'sk-ant-admin01-fake'}\nadmin-key`],
    ["the docs' placeholder", 'sk-ant-admin…'],
  ])('ANTHROPIC_ADMIN_KEY with %s: exit 2 naming the variable, no request sent', async (_, key) => {
    const project = await settledProject();
    const before = await project.snapshot();
    const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin, { ANTHROPIC_ADMIN_KEY: key }) });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('ANTHROPIC_ADMIN_KEY is not a usable key');
    expect(res.stderr).not.toContain('sk-ant-admin01');
    expect(res.stderr).not.toContain('try again later');
    expect(admin.requests).toEqual([]);
    expect(await project.snapshot()).toEqual(before);
  });

  test('ANTHROPIC_API_KEY with a line break, when the key id is to be found: exit 2 naming it, no request sent', async () => {
    const project = await settledProject();
    const res = await project.run(['reconcile', 'tasks/a.md'], {
      env: adminEnv(admin, { CLAUDE_PROJECT_API_KEY_ID: undefined, ANTHROPIC_API_KEY: `${RUNS_KEY.slice(0, 12)}\n${RUNS_KEY.slice(12)}` }),
    });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('ANTHROPIC_API_KEY is not a usable key');
    expect(res.stderr).not.toContain(RUNS_KEY.slice(12));
    expect(admin.requests).toEqual([]);
  });
});

test('a key echoed in an error from the server is cut to its first 10 characters', async () => {
  const project = await settledProject();
  admin.failNext(400, { message: `bad request for key ${admin.adminKey} and ${RUNS_KEY}` });
  const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(2);
  expect(res.stderr).toContain(`bad request for key ${admin.adminKey.slice(0, 10)}… and ${RUNS_KEY.slice(0, 10)}…`);
  expect(res.stderr).not.toContain(admin.adminKey);
  expect(res.stderr).not.toContain(RUNS_KEY);
});

test('finding the key id: keys without a hint and keys that are not active are passed over; every request names claude-project', async () => {
  admin.apiKeys.unshift(
    { id: 'apikey_00NoHint', key: 'sk-ant-api03-unknown-0000', hint: null },
    { id: 'apikey_00Archived', key: RUNS_KEY, status: 'archived' },
    { id: 'apikey_00Expired', key: RUNS_KEY, status: 'expired' },
    { id: 'apikey_00Inactive', key: RUNS_KEY, status: 'inactive' },
  );
  const project = await settledProject();
  const res = await project.run(['reconcile', 'tasks/a.md', '--json'], {
    env: adminEnv(admin, { CLAUDE_PROJECT_API_KEY_ID: undefined, ANTHROPIC_API_KEY: RUNS_KEY }),
  });
  expect(res.stderr).toBe('');
  expect(res.exitCode).toBe(0);
  expect(JSON.parse(res.stdout)).toMatchObject({ status: 'verified', apiKeyId: RUNS_KEY_ID });
  expect(keyReads(admin)).toBe(3); // six keys, two a page
  expect(admin.requests.length).toBeGreaterThan(3);
  expect(admin.requests.map((r) => r.headers['user-agent'])).toEqual(admin.requests.map(() => `claude-project/${VERSION}`));
});
