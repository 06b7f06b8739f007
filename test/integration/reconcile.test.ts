// reconcile: the built CLI against the fake Admin API, whose bill is what the tests say was
// served, per minute, per API key, per model.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startFakeAdminApi, type FakeAdminApi } from '../../examples/fake-api/admin-server.mjs';
import { validator } from '../report/schema.js';
import {
  HAIKU,
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  fromModelUsage,
  init,
  result,
  snapshot,
  waitFor,
  type Attempt,
  type BilledUsage,
} from './helpers.js';
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

let admin: FakeAdminApi;
beforeEach(async () => {
  admin = await startFakeAdminApi({
    apiKeys: [
      { id: RUNS_KEY_ID, key: RUNS_KEY, name: 'claude-project runs' },
      { id: OTHER_KEY_ID, key: OTHER_KEY, name: 'someone else' },
    ],
    pageSize: 2,
  });
});
afterEach(() => admin.close());

const validateJson = validator('reconcile');

/** Half an hour ago: long settled. One task over three minutes, two models. */
async function settledProject(): Promise<{
  project: Project;
  first: number;
  usageA: ReturnType<typeof counts>;
  usageB: ReturnType<typeof counts>;
}> {
  const project = await Project.create({ config: config([{ name: 'work', prompt: 'Work' }]), tasks: { 'tasks/a.md': 'A\n' } });
  const first = minuteStart(30);
  const usageA = counts(1200, 340, 2000, 5000, 0.05, 500);
  const usageB = counts(80, 12, 0, 0, 0.0002);
  await writeTaskState(project.stateDir, 'tasks/a.md', [
    { start: first + 15_000, end: first + MINUTE + 5_000, usage: { [SONNET]: usageA } },
    { start: first + 2 * MINUTE + 1_000, end: first + 2 * MINUTE + 50_000, usage: { [HAIKU]: usageB } },
  ]);
  bill(admin, RUNS_KEY, first + 20_000, { [SONNET]: usageA }, 500);
  bill(admin, RUNS_KEY, first + 2 * MINUTE + 30_000, { [HAIKU]: usageB });
  return { project, first, usageA, usageB };
}

test('billed equals recorded in every minute: verified, recorded in the state, pages followed, the key never shown', async () => {
  const { project, first } = await settledProject();
  bill(admin, OTHER_KEY, first + 30_000, { [SONNET]: counts(999, 999, 0, 0) }); // another key: filtered out
  const res = await project.run(['reconcile', 'tasks/a.md', '--json'], { env: adminEnv(admin) });
  expect(res.stderr).toBe('');
  expect(res.exitCode).toBe(0);
  const doc = JSON.parse(res.stdout);
  expect(validateJson(doc)).toEqual([]);
  expect(doc.status).toBe('verified');
  expect(doc.apiKeyId).toBe(RUNS_KEY_ID);
  expect(doc.window).toEqual({ start: new Date(first).toISOString(), end: new Date(first + 3 * MINUTE).toISOString() });
  const sonnet = doc.models.find((m: { model: string }) => m.model === SONNET);
  expect(sonnet.billed).toEqual({
    inputTokens: 1200,
    outputTokens: 340,
    cacheCreationInputTokens: 2000,
    cacheCreation5mInputTokens: 1500,
    cacheCreation1hInputTokens: 500,
    cacheReadInputTokens: 5000,
    webSearchRequests: 0,
  });
  expect(sonnet.difference).toEqual({
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    cacheCreation5mInputTokens: 0,
    cacheCreation1hInputTokens: 0,
  });
  // Three minute buckets, two per page: two pages of the usage report.
  expect(usageReads(admin)).toBe(2);
  const query = admin.requests.find((r) => r.path.endsWith('/usage_report/messages'))!.query;
  expect(new URLSearchParams(query).getAll('api_key_ids[]')).toEqual([RUNS_KEY_ID]);
  expect(new URLSearchParams(query).get('bucket_width')).toBe('1m');
  const state = await project.taskState('a');
  expect(state.billing).toMatchObject({ status: 'verified', apiKeyId: RUNS_KEY_ID, window: doc.window });
  expect(state.tokenUsage[SONNET].inputTokens).toBe(1200); // the recorded usage is untouched
  const status = await project.run(['status', 'tasks/a.md']);
  expect(status.stdout).toContain(`billing: verified (reconciled ${state.billing.checkedAt}, key ${RUNS_KEY_ID})`);
  const everything = JSON.stringify(await project.snapshot()) + res.stdout;
  expect(everything).not.toContain(RUNS_KEY);
});

test('another client of the key in the same minutes: mismatch (exit 1), the difference per model and count', async () => {
  const { project, first } = await settledProject();
  bill(admin, RUNS_KEY, first + 40_000, { [SONNET]: counts(7, 3, 0, 0) });
  const res = await project.run(['reconcile', 'tasks/a.md', '--report', 'out/reconcile.md'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(1);
  expect(res.stdout).toMatch(/^reconcile: mismatch/);
  expect(res.stdout).toMatch(/claude-sonnet-4-5\s+input\s+1,200\s+1,207\s+\+7/);
  expect(res.stdout).toMatch(/claude-sonnet-4-5\s+output\s+340\s+343\s+\+3/);
  const state = await project.taskState('a');
  expect(state.billing.status).toBe('mismatch');
  expect(state.billing.difference).toEqual({
    [SONNET]: {
      inputTokens: 7,
      outputTokens: 3,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreation5mInputTokens: 0,
      cacheCreation1hInputTokens: 0,
    },
  });
  const report = await readFile(path.join(project.dir, 'out/reconcile.md'), 'utf8');
  expect(report).toContain('# claude-project reconcile: mismatch');
  expect(report).toContain(`- API key: \`${RUNS_KEY_ID}\``);
  expect(report).toContain(`- Window: ${new Date(first).toISOString()} to ${new Date(first + 3 * MINUTE).toISOString()}`);
  expect(report).toContain('| claude-sonnet-4-5 | input | 1,200 | 1,207 | +7 |');
  expect(report).toContain(
    `| ${new Date(first).toISOString().replace('.000Z', 'Z')} | claude-sonnet-4-5 | 1207 | 343 | 1500 | 500 | 5000 |`,
  );
  const html = path.join(project.dir, 'out/report.html');
  await project.run(['report', '--html', html, 'tasks/a.md']);
  expect(await readFile(html, 'utf8')).toContain(`data-model="${SONNET}" data-count="inputTokens" data-recorded="1200" data-billed="1207"`);
});

test('billed still lower once settleMinutes have passed: mismatch', async () => {
  const { project, first } = await settledProject();
  await project.writeConfig(config([{ name: 'work', prompt: 'Work' }], { billing: { settleMinutes: 10 } }));
  await writeTaskState(project.stateDir, 'tasks/a.md', [
    { start: first + 1_000, end: first + 2_000, usage: { [SONNET]: counts(1300, 340, 2000, 5000, 0, 500) } },
  ]);
  const res = await project.run(['reconcile', 'tasks/a.md', '--json'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(1);
  const doc = JSON.parse(res.stdout);
  expect(doc.status).toBe('mismatch');
  expect(doc.models.find((m: { model: string }) => m.model === SONNET).difference.inputTokens).toBe(-100);
});

test('data not in yet: pending (exit 75), then --wait polls until verified', async () => {
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'Work' }], { billing: { pollSeconds: 1 } }),
    tasks: { 'tasks/a.md': 'A\n' },
  });
  const now = Date.now();
  const usage = { [SONNET]: counts(500, 60, 0, 1000) };
  await writeTaskState(project.stateDir, 'tasks/a.md', [{ start: now - 2_000, end: now - 1_000, usage }]);
  // The bill is held back until the test lets it in, however slow the machine is.
  admin.lagSeconds = 1e9;
  bill(admin, RUNS_KEY, now - 1_500, usage);
  const first = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
  expect(first.exitCode).toBe(75);
  expect(first.stdout).toMatch(/^reconcile: pending/);
  expect((await project.taskState('a')).billing.status).toBe('pending');
  const waiting = project.start(['reconcile', 'tasks/a.md', '--wait', '--json'], { env: adminEnv(admin) });
  let stderr = '';
  waiting.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await waitFor('the first poll to say pending', () => stderr.includes('reconcile: pending'));
  admin.lagSeconds = 0;
  const waited = await waiting;
  expect(waited.exitCode).toBe(0);
  expect(JSON.parse(String(waited.stdout)).status).toBe('verified');
  expect((await project.taskState('a')).billing.status).toBe('verified');
});

test('the admin key refused: exit 2, nothing changed', async () => {
  const { project } = await settledProject();
  const before = await project.snapshot();
  const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin, { ANTHROPIC_ADMIN_KEY: 'sk-ant-admin01-revoked' }) });
  expect(res.exitCode).toBe(2);
  expect(res.stderr).toContain('the admin key was refused (HTTP 401');
  expect(res.stderr).not.toContain('    at ');
  expect(await project.snapshot()).toEqual(before);
});

test('429 with retry-after: waits and retries, then verified', async () => {
  const { project } = await settledProject();
  admin.failNext(429, { times: 2, retryAfter: 1 });
  const res = await project.run(['reconcile', 'tasks/a.md', '--json'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(0);
  expect(JSON.parse(res.stdout).status).toBe('verified');
  expect(usageReads(admin)).toBe(4); // two refused, then two pages
  // each wait is told: a long retry-after is not minutes of silence
  expect(res.stderr).toMatch(
    /^reconcile: \/v1\/organizations\/usage_report\/messages: rate limited \(HTTP 429\); trying again in 1s \(try 2 of 5\)$/m,
  );
  expect(res.stderr).toMatch(/trying again in 1s \(try 3 of 5\)$/m);
});

test('5xx on every try: exit 75, the state unchanged', async () => {
  const { project } = await settledProject();
  const before = await project.snapshot();
  admin.failNext(503, { times: 10 });
  const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(75);
  expect(res.stderr).toContain('the Admin API is unavailable');
  expect(usageReads(admin)).toBe(4);
  expect(await project.snapshot()).toEqual(before);
});

test('no network at all: exit 75, the state unchanged', async () => {
  const { project } = await settledProject();
  const before = await project.snapshot();
  await admin.close();
  const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(75);
  expect(await project.snapshot()).toEqual(before);
  admin = await startFakeAdminApi();
});

test('an answer of the wrong shape: exit 1 naming the field, the state unchanged', async () => {
  const { project } = await settledProject();
  const before = await project.snapshot();
  admin.breakField = 'output_tokens';
  const res = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(1);
  expect(res.stderr).toContain('/v1/organizations/usage_report/messages: data[0].results[0].output_tokens is not a token count');
  expect(await project.snapshot()).toEqual(before);
});

test('bad settings: exit 2 naming them', async () => {
  const { project } = await settledProject();
  await project.writeConfig(config([{ name: 'work', prompt: 'Work' }], { billing: { pollSeconds: 0 } }));
  const zero = await project.run(['reconcile'], { env: adminEnv(admin) });
  expect(zero.exitCode).toBe(2);
  expect(zero.stderr).toMatch(/claude-project\.yaml:\d+: billing\.pollSeconds: expected a number ≥ 1, got 0/);
  await project.writeConfig(config([{ name: 'work', prompt: 'Work' }], { billing: { apiKeyId: 'sk-ant-api03-oops' } }));
  const configured = await project.run(['reconcile'], { env: adminEnv(admin, { CLAUDE_PROJECT_API_KEY_ID: undefined }) });
  expect(configured.exitCode).toBe(2);
  expect(configured.stderr).toContain('billing.apiKeyId: "sk-ant-api…" is not valid');
  await project.writeConfig(config([{ name: 'work', prompt: 'Work' }]));
  const env = await project.run(['reconcile'], { env: adminEnv(admin, { CLAUDE_PROJECT_API_KEY_ID: 'key-123' }) });
  expect(env.exitCode).toBe(2);
  expect(env.stderr).toContain('CLAUDE_PROJECT_API_KEY_ID: "key-123" is not an API key id');
  const timeout = await project.run(['reconcile', '--wait', '--timeout', 'soon'], { env: adminEnv(admin) });
  expect(timeout.exitCode).toBe(2);
  expect(timeout.stderr).toContain('--timeout "soon"');
});

test('no admin key: skipped, exit 0, no file changed', async () => {
  const { project } = await settledProject();
  const before = await project.snapshot();
  const res = await project.run(['reconcile', '--json'], { env: { CLAUDE_PROJECT_ADMIN_API_URL: admin.url } });
  expect(res.exitCode).toBe(0);
  const doc = JSON.parse(res.stdout);
  expect(validateJson(doc)).toEqual([]);
  expect(doc).toMatchObject({ status: 'skipped', reason: expect.stringContaining('ANTHROPIC_ADMIN_KEY is not set') });
  expect(admin.requests).toEqual([]);
  expect(await project.snapshot()).toEqual(before);
});

describe('finding the API key id from ANTHROPIC_API_KEY and the keys partial_key_hint', () => {
  test('one match: its id is used', async () => {
    const { project } = await settledProject();
    const res = await project.run(['reconcile', '--json'], {
      env: adminEnv(admin, { CLAUDE_PROJECT_API_KEY_ID: undefined, ANTHROPIC_API_KEY: RUNS_KEY }),
    });
    expect(res.exitCode).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'verified', apiKeyId: RUNS_KEY_ID });
    expect(res.stdout).not.toContain(RUNS_KEY);
  });

  test('no match: exit 2 saying which setting to add', async () => {
    const { project } = await settledProject();
    const res = await project.run(['reconcile'], {
      env: adminEnv(admin, { CLAUDE_PROJECT_API_KEY_ID: undefined, ANTHROPIC_API_KEY: 'sk-ant-api03-not-in-this-org-0000' }),
    });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('no API key of the organisation matches ANTHROPIC_API_KEY');
    expect(res.stderr).toContain('set billing.apiKeyId');
    expect(res.stderr).toContain('CLAUDE_PROJECT_API_KEY_ID');
  });

  test('several matches: exit 2 naming them', async () => {
    const { project } = await settledProject();
    admin.apiKeys.push({ id: 'apikey_03LookAlike', key: 'sk-ant-other-middle-R1Nx' }, { id: 'apikey_04Third', key: 'sk-ant-x' });
    const res = await project.run(['reconcile'], {
      env: adminEnv(admin, { CLAUDE_PROJECT_API_KEY_ID: undefined, ANTHROPIC_API_KEY: RUNS_KEY }),
    });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(
      `2 API keys of the organisation match ANTHROPIC_API_KEY (${RUNS_KEY_ID} "claude-project runs", apikey_03LookAlike`,
    );
  });
});

test('tasks that share a minute are shared-window; a task with minutes of its own gets its own status', async () => {
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'Work' }]),
    tasks: { 'tasks/a.md': 'A\n', 'tasks/b.md': 'B\n', 'tasks/c.md': 'C\n' },
  });
  const first = minuteStart(40);
  const a = { [SONNET]: counts(100, 10, 0, 0) };
  const b = { [SONNET]: counts(200, 20, 0, 0) };
  const c = { [SONNET]: counts(300, 30, 0, 0) };
  await writeTaskState(project.stateDir, 'tasks/a.md', [{ start: first + 1_000, end: first + 40_000, usage: a }]);
  await writeTaskState(project.stateDir, 'tasks/b.md', [{ start: first + 41_000, end: first + MINUTE + 10_000, usage: b }]);
  await writeTaskState(project.stateDir, 'tasks/c.md', [{ start: first + 5 * MINUTE, end: first + 5 * MINUTE + 9_000, usage: c }]);
  bill(admin, RUNS_KEY, first + 20_000, a);
  bill(admin, RUNS_KEY, first + 50_000, b);
  bill(admin, RUNS_KEY, first + 5 * MINUTE + 1_000, c);
  const res = await project.run(['reconcile', 'tasks', '--json'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(0);
  const doc = JSON.parse(res.stdout);
  expect(doc.status).toBe('verified');
  expect(doc.tasks.map((t: { taskPath: string; status: string; sharedWith: string[] }) => [t.taskPath, t.status, t.sharedWith])).toEqual([
    ['tasks/a.md', 'shared-window', ['tasks/b.md']],
    ['tasks/b.md', 'shared-window', ['tasks/a.md']],
    ['tasks/c.md', 'verified', []],
  ]);
  expect((await project.taskState('a')).billing).toMatchObject({ status: 'shared-window', sharedWith: ['tasks/b.md'] });
  // Asked alone, a task sharing minutes is checked together with the task it shares them with.
  const alone = await project.run(['reconcile', 'tasks/a.md', '--json'], { env: adminEnv(admin) });
  expect(JSON.parse(alone.stdout)).toMatchObject({
    status: 'verified',
    window: { start: new Date(first).toISOString(), end: new Date(first + 2 * MINUTE).toISOString() },
  });
});

/** A call; with `gate`, it waits after its first line until the test creates that file (next to the scenario). */
function call(modelUsage: Record<string, BilledUsage>, gate?: string): Attempt {
  const model = Object.keys(modelUsage)[0]!;
  return {
    lines: [
      init('sess'),
      ...(gate ? [{ $waitFor: gate }] : []),
      ...assistant({ id: `msg_${model}`, model, usage: snapshot(9), blocks: 1 }),
      result({ modelUsage }),
    ],
  };
}

test('a sequence run by the fake claude, billed as served: the sequence is verified, and a reconcile during the run loses no update', async () => {
  const first = { [SONNET]: billed(1000, 200, 300, 4000, 0.01) };
  const second = { [HAIKU]: billed(50, 5, 0, 0, 0.0001) };
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'Work' }]),
    tasks: { 'tasks/01-a.md': 'A\n', 'tasks/02-b.md': 'B\n' },
    // the second call waits until the reconcile below has run
    scenario: { attempts: [call(first), call(second, 'reconciled')] },
  });
  const running = project.start(['sequence', 'tasks']);
  await waitFor('the first task done', async () => (await project.taskState('01-a').catch(() => undefined))?.phase === 'done');
  const during = await project.run(['reconcile', 'tasks'], { env: adminEnv(admin) });
  await writeFile(path.join(project.base, 'reconciled'), '');
  expect([0, 1, 75]).toContain(during.exitCode); // whatever it found, it wrote it under the locks
  expect((await running).exitCode).toBe(0);
  const afterRun = await project.sequenceState();
  expect(afterRun.phase).toBe('done');
  expect(afterRun.completedTasks).toEqual(['tasks/01-a.md', 'tasks/02-b.md']);
  expect(afterRun.billing).toBeDefined();
  // Bill what the fake claude served, in the minutes its attempts ran.
  const startA = Date.parse((await project.taskState('01-a')).steps[0].attempts[0].startedAt);
  const startB = Date.parse((await project.taskState('02-b')).steps[0].attempts[0].startedAt);
  bill(admin, RUNS_KEY, startA, fromModelUsage(first));
  bill(admin, RUNS_KEY, startB, fromModelUsage(second));
  const res = await project.run(['reconcile', 'tasks', '--json'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(0);
  const doc = JSON.parse(res.stdout);
  expect(validateJson(doc)).toEqual([]);
  expect(doc.sequence).toMatchObject({ tasksDir: 'tasks', status: 'verified' });
  expect(doc.models.map((m: { model: string; billed: { inputTokens: number } }) => [m.model, m.billed.inputTokens])).toEqual([
    [HAIKU, 50],
    [SONNET, 1000],
  ]);
  const sequence = await project.sequenceState();
  expect(sequence.billing.status).toBe('verified');
  expect(sequence.stats.totalTokenUsage[SONNET].inputTokens).toBe(1000);
  const status = await project.run(['status', 'tasks', '--json']);
  const statusDoc = JSON.parse(status.stdout);
  expect(validator('status')(statusDoc)).toEqual([]);
  expect(statusDoc.sequence.billing.status).toBe('verified');
  const text = await project.run(['status', 'tasks']);
  expect(text.stdout).toContain(`billing: verified (reconciled ${sequence.billing.checkedAt}, key ${RUNS_KEY_ID})`);
});

test('a sequence file behind its tasks (written at intervals, or left so by a kill): reconcile still checks the sequence and records its verdict there', async () => {
  const usage = { [SONNET]: billed(1000, 200, 300, 4000, 0.01) };
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'Work' }]),
    tasks: { 'tasks/01-a.md': 'A\n' },
    scenario: { attempts: [call(usage)] },
  });
  expect((await project.run(['sequence', 'tasks'])).exitCode).toBe(0);
  // the sequence file as it was before the task's end reached it
  const sequenceFile = path.join(project.stateDir, 'sequence.state.json');
  const behind = JSON.parse(await readFile(sequenceFile, 'utf8'));
  await writeFile(sequenceFile, JSON.stringify({ ...behind, phase: 'running', tasks: [], completedTasks: [] }, null, 2));
  const start = Date.parse((await project.taskState('01-a')).steps[0].attempts[0].startedAt);
  bill(admin, RUNS_KEY, start, fromModelUsage(usage));
  const res = await project.run(['reconcile', 'tasks', '--json'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(0);
  expect(JSON.parse(res.stdout).sequence).toMatchObject({ tasksDir: 'tasks', status: 'verified' });
  expect((await project.sequenceState()).billing.status).toBe('verified');
});
