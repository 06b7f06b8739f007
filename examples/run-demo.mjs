#!/usr/bin/env node
// `npm run demo`: runs `claude-project sequence tasks` on the demo project through the real
// Claude Code CLI (the pinned devDependency), offline, against the fake Messages API; then
// compares the per-model totals with what the API served, and ends with `reconcile` against the
// fake Admin API, whose bill is what the fake Messages API served.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startFakeAdminApi } from './fake-api/admin-server.mjs';
import { startFakeApi, defaultScript } from './fake-api/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const claude = path.join(
  path.dirname(require.resolve(`@anthropic-ai/claude-code-${process.platform}-${process.arch}/package.json`)),
  'claude',
);

const project = mkdtempSync(path.join(os.tmpdir(), 'claude-project-demo-'));
cpSync(path.join(here, 'demo'), project, { recursive: true });
const home = mkdtempSync(path.join(os.tmpdir(), 'claude-project-demo-home-'));
const api = await startFakeApi({ script: defaultScript });
const admin = await startFakeAdminApi({
  apiKeys: [{ id: 'apikey_01DemoRuns', key: 'offline-demo-key', name: 'claude-project demo' }],
  ledgers: [api.ledger],
});
console.log(`demo project: ${project}\nfake Messages API: ${api.url}\nfake Admin API: ${admin.url}\n`);

const run = async (args, extraEnv = {}) =>
  execa(process.execPath, [path.join(here, '..', 'dist', 'bundle', 'cli.js'), ...args], {
    cwd: project,
    stdio: 'inherit',
    reject: false,
    env: {
      HOME: home,
      ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_API_KEY: 'offline-demo-key',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_PROJECT_CLAUDE_BIN: claude,
      ...extraEnv,
    },
  });

const sequence = await run(['sequence', 'tasks']);
console.log('\n$ claude-project status');
await run(['status']);
await api.close();

const state = JSON.parse(readFileSync(path.join(project, '.claude-project/state/sequence.state.json'), 'utf8'));
const fields = ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens'];
let differences = 0;
console.log('\nserved by the fake API vs. sequence.state.json, per model:');
for (const model of new Set([...Object.keys(api.served), ...Object.keys(state.stats.totalTokenUsage)])) {
  const served = api.served[model] ?? {};
  const counted = state.stats.totalTokenUsage[model] ?? {};
  const line = fields.map((f) => {
    if ((served[f] ?? 0) !== (counted[f] ?? 0)) differences++;
    return `${f} ${served[f] ?? 0}/${counted[f] ?? 0}`;
  });
  console.log(`  ${model}: ${line.join(' · ')}`);
}
console.log(differences === 0 ? '\nexact: every count matches what was served.' : `\n${differences} count(s) differ!`);

console.log('\n$ claude-project reconcile tasks --report reconcile.md');
const reconcile = await run(['reconcile', 'tasks', '--report', 'reconcile.md'], {
  ANTHROPIC_ADMIN_KEY: admin.adminKey,
  CLAUDE_PROJECT_ADMIN_API_URL: admin.url,
});
await admin.close();
console.log(`\n$ cat reconcile.md\n${readFileSync(path.join(project, 'reconcile.md'), 'utf8')}`);
process.exitCode = sequence.exitCode === 0 && differences === 0 && reconcile.exitCode === 0 ? 0 : 1;
