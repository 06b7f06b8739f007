// reconcile's verdicts on data shaped like the real bill: late data, dated model names,
// subscription runs, and the likely cause of each difference, end to end through the built CLI.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startFakeAdminApi, type FakeAdminApi } from '../../examples/fake-api/admin-server.mjs';
import { validator } from '../report/schema.js';
import { Project, SONNET, assistant, billed, cleanup, config, init, result, snapshot } from './helpers.js';
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
  });
});
afterEach(() => admin.close());

const validateJson = validator('reconcile');
const validateStatus = validator('status');

/** One task whose one attempt ran in the minute `minutesAgo` minutes ago, with this usage. */
async function oneTask(minutesAgo: number, usage: ReturnType<typeof counts>, model = SONNET) {
  const project = await Project.create({ config: config([{ name: 'work', prompt: 'Work' }]), tasks: { 'tasks/a.md': 'A\n' } });
  const first = minuteStart(minutesAgo);
  await writeTaskState(project.stateDir, 'tasks/a.md', [{ start: first + 5_000, end: first + 40_000, usage: { [model]: usage } }]);
  return { project, first };
}

test('billed lower half an hour after the window, settleMinutes not set: pending (the default is 60), not mismatch', async () => {
  const { project, first } = await oneTask(30, counts(1000, 100, 0, 2000));
  bill(admin, RUNS_KEY, first + 10_000, { [SONNET]: counts(600, 100, 0, 2000) });
  const res = await project.run(['reconcile', 'tasks/a.md', '--json'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(75);
  const doc = JSON.parse(res.stdout);
  expect(validateJson(doc)).toEqual([]);
  expect(doc.status).toBe('pending');
  expect(doc.causes).toEqual([
    { cause: 'not-settled', model: SONNET, explanation: expect.stringContaining('billed less than recorded (-400 input)') },
  ]);
  expect(doc.verdict).toContain('settleMinutes, 60');
  expect((await project.taskState('a')).billing.status).toBe('pending');
});

test('billed higher: mismatch at once, explained as another client of the key in the text, Markdown, --json and status', async () => {
  const { project, first } = await oneTask(1, counts(1000, 100, 0, 0));
  bill(admin, RUNS_KEY, first + 10_000, { [SONNET]: counts(1000, 100, 0, 0) });
  bill(admin, RUNS_KEY, first + 20_000, { [SONNET]: counts(50, 5, 0, 0) }); // someone else using the runs' key
  const res = await project.run(['reconcile', 'tasks/a.md', '--report', 'out/reconcile.md'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(1);
  expect(res.stdout).toMatch(/^reconcile: mismatch/);
  expect(res.stdout).toContain(
    'likely cause: claude-sonnet-4-5: billed more than recorded (+50 input, +5 output): another client of the key',
  );
  expect(res.stdout).toMatch(/claude-sonnet-4-5\s+cache write 1h\s+0\s+0\s+0/);
  const report = await readFile(path.join(project.dir, 'out/reconcile.md'), 'utf8');
  expect(report).toContain('## Likely causes');
  expect(report).toContain('- claude-sonnet-4-5: billed more than recorded (+50 input, +5 output): another client of the key');
  expect(report).toContain('(`other-client`)');
  const json = await project.run(['reconcile', 'tasks/a.md', '--json'], { env: adminEnv(admin) });
  const doc = JSON.parse(json.stdout);
  expect(validateJson(doc)).toEqual([]);
  expect(doc.causes.map((c: { cause: string }) => c.cause)).toEqual(['other-client']);
  const sonnet = doc.models.find((m: { model: string }) => m.model === SONNET);
  expect(sonnet.counts.find((c: { count: string }) => c.count === 'input')).toEqual({
    count: 'input',
    recorded: 1000,
    billed: 1050,
    difference: 50,
  });
  const status = await project.run(['status', 'tasks/a.md']);
  expect(status.stdout).toMatch(
    /billing: mismatch \(reconciled [^)]+, key apikey_01RunsOnly\) · claude-sonnet-4-5: billed more than recorded \(\+50 input, \+5 output\): another client/,
  );
  const statusDoc = JSON.parse((await project.run(['status', 'tasks/a.md', '--json'])).stdout);
  expect(validateStatus(statusDoc)).toEqual([]);
  expect(statusDoc.tasks[0].billing.causes).toEqual([{ cause: 'other-client', model: SONNET, explanation: expect.any(String) }]);
});

test('the same cache writes billed with another 5m/1h split: mismatch, explained as a cache TTL difference', async () => {
  const { project, first } = await oneTask(2, counts(100, 10, 2000, 0));
  bill(admin, RUNS_KEY, first + 10_000, { [SONNET]: counts(100, 10, 2000, 0) }, 2000);
  const res = await project.run(['reconcile', 'tasks/a.md', '--json'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(1);
  const doc = JSON.parse(res.stdout);
  expect(doc.status).toBe('mismatch');
  expect(doc.causes).toEqual([
    {
      cause: 'cache-ttl',
      model: SONNET,
      explanation: expect.stringContaining('billed as 5m 0 + 1h 2,000 but recorded as 5m 2,000 + 1h 0'),
    },
  ]);
});

test('the usage report names the dated snapshot, Claude Code the alias: one model, verified, both names kept', async () => {
  const { project, first } = await oneTask(2, counts(300, 30, 0, 600));
  bill(admin, RUNS_KEY, first + 10_000, { 'claude-sonnet-4-5-20250929': counts(300, 30, 0, 600) });
  const res = await project.run(['reconcile', 'tasks/a.md', '--json'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(0);
  const doc = JSON.parse(res.stdout);
  expect(validateJson(doc)).toEqual([]);
  expect(doc.status).toBe('verified');
  expect(doc.models.map((m: { model: string; seenAs: string[] }) => [m.model, m.seenAs])).toEqual([
    [SONNET, ['claude-sonnet-4-5', 'claude-sonnet-4-5-20250929']],
  ]);
  expect((await project.taskState('a')).billing.seenAs).toEqual({ [SONNET]: ['claude-sonnet-4-5', 'claude-sonnet-4-5-20250929'] });
  const text = await project.run(['reconcile', 'tasks/a.md'], { env: adminEnv(admin) });
  expect(text.stdout).toContain('claude-sonnet-4-5 (seen as claude-sonnet-4-5-20250929)');
});

test('web search requests and a data-residency price multiplier: said as causes beside equal tokens', async () => {
  // counts(1000, 100) on claude-sonnet-4-5 at the fake's prices: $0.0045.
  const { project, first } = await oneTask(2, counts(1000, 100, 0, 0, 0.0045));
  admin.bill({
    at: first + 10_000,
    apiKey: RUNS_KEY,
    model: SONNET,
    usage: { input_tokens: 1000, output_tokens: 100, server_tool_use: { web_search_requests: 2 } },
  });
  admin.costFactor = 1.1;
  const res = await project.run(['reconcile', 'tasks/a.md', '--json'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(0);
  const doc = JSON.parse(res.stdout);
  expect(validateJson(doc)).toEqual([]);
  expect(doc.status).toBe('verified');
  expect(doc.causes).toEqual([
    { cause: 'web-search', model: SONNET, explanation: expect.stringMatching(/^2 web search request\(s\) billed/) },
    { cause: 'cost-multiplier', model: null, explanation: expect.stringContaining('1.10× the recorded price') },
  ]);
  const sonnet = doc.models.find((m: { model: string }) => m.model === SONNET);
  expect(sonnet.counts.at(-1)).toEqual({ count: 'web search requests', recorded: null, billed: 2, difference: null });
});

test('runs Claude Code says were not billed to an API key (apiKeySource none): not-billed, exit 0, costs API-equivalent', async () => {
  const usage = { [SONNET]: billed(400, 40, 0, 0, 0.0018) };
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'Work' }]),
    tasks: { 'tasks/a.md': 'A\n' },
    scenario: {
      attempts: [
        {
          lines: [
            { ...init('sess-sub'), apiKeySource: 'none' },
            ...assistant({ id: 'msg_sub', model: SONNET, usage: snapshot(9), blocks: 1 }),
            result({ modelUsage: usage }),
          ],
        },
      ],
    },
  });
  expect((await project.run(['run', 'tasks/a.md'])).exitCode).toBe(0);
  expect((await project.taskState('a')).steps[0].attempts[0].apiKeySource).toBe('none');
  // A subscription login has no Admin API: no admin key is needed to say so.
  const res = await project.run(['reconcile', 'tasks/a.md'], { env: { CLAUDE_PROJECT_ADMIN_API_URL: admin.url } });
  expect(res.exitCode).toBe(0);
  expect(res.stdout).toMatch(/^reconcile: not-billed · Claude Code said these calls were not billed to an API key/);
  expect(res.stdout).toContain('API-equivalent');
  expect(admin.requests).toEqual([]);
  const json = JSON.parse((await project.run(['reconcile', 'tasks/a.md', '--json'])).stdout);
  expect(validateJson(json)).toEqual([]);
  expect(json).toMatchObject({ status: 'not-billed', apiKeyId: null });
  expect(json.tasks[0]).toMatchObject({ status: 'not-billed', apiKeySources: ['none'], costBasis: 'api-equivalent' });
  expect((await project.taskState('a')).billing.status).toBe('not-billed');
  const status = await project.run(['status', 'tasks/a.md']);
  expect(status.stdout).toMatch(/a \(tasks\/a\.md\): done · \$0\.0018 API-equivalent/);
  expect(status.stdout).toContain('billing: not-billed (reconciled');
  const statusDoc = JSON.parse((await project.run(['status', 'tasks/a.md', '--json'])).stdout);
  expect(validateStatus(statusDoc)).toEqual([]);
  expect(statusDoc.tasks[0].costBasis).toBe('api-equivalent');
  const html = path.join(project.dir, 'out/report.html');
  await project.run(['report', '--html', html, 'tasks/a.md']);
  expect(await readFile(html, 'utf8')).toContain('$0.0018 API-equivalent</span>');
});

test('a run billed to a key beside one that was not: the billed one is checked, the other is not-billed', async () => {
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'Work' }]),
    tasks: { 'tasks/a.md': 'A\n', 'tasks/b.md': 'B\n' },
  });
  const first = minuteStart(3);
  await writeTaskState(project.stateDir, 'tasks/a.md', [
    { start: first + 1_000, end: first + 9_000, usage: { [SONNET]: counts(10, 1, 0, 0) } },
  ]);
  const bFile = await writeTaskState(project.stateDir, 'tasks/b.md', [
    { start: first + 2 * MINUTE, end: first + 2 * MINUTE + 9_000, usage: { [SONNET]: counts(20, 2, 0, 0) } },
  ]);
  const bState = JSON.parse(await readFile(bFile, 'utf8'));
  bState.steps[0].attempts[0].apiKeySource = 'none';
  await writeFile(bFile, JSON.stringify(bState));
  bill(admin, RUNS_KEY, first + 5_000, { [SONNET]: counts(10, 1, 0, 0) });
  const res = await project.run(['reconcile', 'tasks', '--json'], { env: adminEnv(admin) });
  expect(res.exitCode).toBe(0);
  const doc = JSON.parse(res.stdout);
  expect(doc.status).toBe('verified');
  expect(doc.window.end).toBe(new Date(first + MINUTE).toISOString());
  expect(doc.tasks.map((t: { taskPath: string; status: string }) => [t.taskPath, t.status])).toEqual([
    ['tasks/a.md', 'verified'],
    ['tasks/b.md', 'not-billed'],
  ]);
});
