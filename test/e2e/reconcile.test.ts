// End to end: a sequence run by the real Claude Code CLI against the fake Messages API, whose
// ledger (what it served, when, to which key) is the fake Admin API's bill; `reconcile` must
// find them equal to the token.
import { startFakeAdminApi, type FakeAdminApi } from '../../examples/fake-api/admin-server.mjs';
import { taskFileName, waitFor } from '../integration/helpers.js';
import { e2eProject, e2eScript, servedCounts, type E2eProject } from './harness.js';
import { realClaudeEnv } from './real-claude.js';

const RUNS_KEY = realClaudeEnv('', '').ANTHROPIC_API_KEY!;
const RUNS_KEY_ID = 'apikey_01E2eRuns';

let project: E2eProject | undefined;
let admin: FakeAdminApi | undefined;
afterEach(async () => {
  await project?.close();
  await admin?.close();
  project = undefined;
  admin = undefined;
});

interface ModelRow {
  model: string;
  billed: { inputTokens: number; outputTokens: number; cacheCreationInputTokens: number; cacheReadInputTokens: number };
  difference: Record<string, number>;
}

test('a sequence, then reconcile: verified, billed equal to what the API served; another client of the key in those minutes: mismatch', async () => {
  project = await e2eProject(
    {
      'claude-project.yaml':
        'model: claude-sonnet-4-5\nclaude:\n  args: ["--allowedTools", "Bash,Read,Edit,Write"]\nbilling:\n  pollSeconds: 1\n' +
        'pipeline:\n  - name: plan\n    model: claude-haiku-4-5\n    prompt: Plan {{taskName}}.\n  - name: build\n    prompt: "Build it:\\n$ echo built"\n',
      'tasks/01-first.md': 'First.\n',
      'tasks/02-second.md': 'Second.\n',
    },
    e2eScript,
  );
  admin = await startFakeAdminApi({ apiKeys: [{ id: RUNS_KEY_ID, key: RUNS_KEY }], ledgers: [project.api.ledger], pageSize: 2 });
  const env = { ANTHROPIC_ADMIN_KEY: admin.adminKey, CLAUDE_PROJECT_ADMIN_API_URL: admin.url };
  const run = await project.run(['sequence', 'tasks']);
  expect(run.exitCode).toBe(0);

  // The key id is found from ANTHROPIC_API_KEY's hint.
  const verified = await project.run(['reconcile', 'tasks', '--json', '--report', 'reconcile.md'], env);
  expect(verified.stderr).toBe('');
  expect(verified.exitCode).toBe(0);
  const doc = JSON.parse(verified.stdout) as { status: string; apiKeyId: string; models: ModelRow[]; sequence: { status: string } };
  expect(doc).toMatchObject({ status: 'verified', apiKeyId: RUNS_KEY_ID, sequence: { status: 'verified' } });
  const billed = Object.fromEntries(doc.models.map((row) => [row.model, row.billed]));
  const served = servedCounts(project.api);
  expect(Object.keys(billed).sort()).toEqual(Object.keys(served).sort());
  for (const [model, counts] of Object.entries(served)) expect(billed[model]).toMatchObject(counts);
  expect((await project.readText('reconcile.md')).startsWith('# claude-project reconcile: verified')).toBe(true);

  // Another client of the same key, in the same minutes.
  const ledger = project.api.ledger;
  admin.bill({ at: ledger[0]!.at, apiKey: RUNS_KEY, model: 'claude-sonnet-4-5', usage: { input_tokens: 5, output_tokens: 1 } });
  const mismatch = await project.run(['reconcile', 'tasks', '--json'], env);
  expect(mismatch.exitCode).toBe(1);
  const mismatchDoc = JSON.parse(mismatch.stdout) as { status: string; models: ModelRow[] };
  expect(mismatchDoc.status).toBe('mismatch');
  expect(mismatchDoc.models.find((row) => row.model === 'claude-sonnet-4-5')!.difference).toEqual({
    inputTokens: 5,
    outputTokens: 1,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    cacheCreation5mInputTokens: 0,
    cacheCreation1hInputTokens: 0,
  });
}, 300_000);

test('no admin key: skipped, no file changed; billed data not in yet: pending (exit 75); --wait polls until it arrives: verified', async () => {
  project = await e2eProject(
    {
      'claude-project.yaml':
        'model: claude-sonnet-4-5\nbilling:\n  pollSeconds: 1\npipeline:\n  - name: answer\n    prompt: Answer briefly.\n',
      'tasks/hello.md': 'Say hello.\n',
    },
    e2eScript,
  );
  admin = await startFakeAdminApi({ apiKeys: [{ id: RUNS_KEY_ID, key: RUNS_KEY }], ledgers: [project.api.ledger], lagSeconds: 3600 });
  const env = { ANTHROPIC_ADMIN_KEY: admin.adminKey, CLAUDE_PROJECT_ADMIN_API_URL: admin.url, CLAUDE_PROJECT_API_KEY_ID: RUNS_KEY_ID };
  expect((await project.run(['run', 'tasks/hello.md'])).exitCode).toBe(0);
  const stateBefore = await project.readText(`.claude-project/state/${taskFileName('tasks/hello.md')}.state.json`);
  const skipped = await project.run(['reconcile', 'tasks/hello.md'], { CLAUDE_PROJECT_ADMIN_API_URL: admin.url });
  expect(skipped.exitCode).toBe(0);
  expect(skipped.stdout).toMatch(/^reconcile: skipped · ANTHROPIC_ADMIN_KEY is not set/);
  expect(await project.readText(`.claude-project/state/${taskFileName('tasks/hello.md')}.state.json`)).toBe(stateBefore);
  expect(admin.requests).toEqual([]);
  const pending = await project.run(['reconcile', 'tasks/hello.md'], env);
  expect(pending.exitCode).toBe(75);
  expect(pending.stdout).toMatch(/^reconcile: pending/);
  // The bill is let in only once the waiting reconcile has asked for it and been answered
  // without it (the fake answers in the same turn it records a request): a fixed delay raced
  // with a slow start on a loaded machine.
  const usageAsks = () => admin!.requests.filter((r) => r.path.endsWith('/usage_report/messages')).length;
  const asked = usageAsks();
  const waiting = project.run(['reconcile', 'tasks/hello.md', '--wait'], env);
  await waitFor('the waiting reconcile to ask for the usage report', () => usageAsks() > asked);
  admin.lagSeconds = 0;
  const waited = await waiting;
  expect(waited.exitCode).toBe(0);
  expect(waited.stdout).toMatch(/^reconcile: verified/);
  expect(waited.stderr).toContain('reconcile: pending');
}, 300_000);
