// `node bench/run.mjs merge`: `merge` and `status` over generated task states (1,000, 10,000 and
// 20,000), time, peak RSS and the heap kept after a full GC, and the folder read a budget makes
// before each attempt. Needs `npm run build` first.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5'];

function usage(seed) {
  const u = (k) => ({
    inputTokens: 1000 + ((seed * 7 + k) % 5000),
    outputTokens: 100 + ((seed * 13 + k) % 900),
    cacheCreationInputTokens: (seed * 3 + k) % 2000,
    cacheReadInputTokens: (seed * 11 + k) % 20000,
    costUsd: ((seed % 997) + k) / 10000,
  });
  return Object.fromEntries(MODELS.map((model, k) => [model, u(k)]));
}

/** A done task state as a sequence writes it: one step, one passed attempt, usage on two models. */
function taskState(k) {
  const name = `task-${String(k).padStart(5, '0')}`;
  const used = usage(k);
  const at = new Date(Date.UTC(2026, 10, 1) + k * 1000).toISOString();
  const attempt = {
    attempt: 1,
    model: MODELS[0],
    outcome: 'passed',
    startedAt: at,
    endedAt: at,
    durationMs: 1000,
    exitCode: 0,
    sessionId: `s-${k}`,
    usage: used,
    usageSource: 'result',
    malformedLines: 0,
  };
  const step = {
    name: 'work',
    status: 'done',
    model: MODELS[0],
    attempts: [attempt],
    usage: used,
    usageSource: 'result',
    startedAt: at,
    finishedAt: at,
    durationMs: 1000,
    exitCode: 0,
  };
  const costUsd = Object.values(used).reduce((n, u) => n + u.costUsd, 0);
  return {
    name,
    state: {
      version: 1,
      taskPath: `tasks/${name}.md`,
      taskName: name,
      phase: 'done',
      steps: [step],
      tokenUsage: used,
      totalCostUsd: costUsd,
      malformedLines: 0,
      createdAt: at,
      updatedAt: at,
      startedAt: at,
      finishedAt: at,
    },
  };
}

/** `shards` state folders (with logs beside them) holding `tasks` task states between them, each with its sequence state listing its tasks. */
export function generate(base, tasks, shards) {
  const folders = [];
  for (let i = 1; i <= shards; i++) {
    const root = path.join(base, 'shards', String(i));
    const state = path.join(root, 'state');
    mkdirSync(state, { recursive: true });
    const entries = [];
    for (let k = i - 1; k < tasks; k += shards) {
      const { name, state: task } = taskState(k);
      const stateFile = path.join(state, `${name}.state.json`);
      writeFileSync(stateFile, `${JSON.stringify(task, null, 2)}\n`);
      entries.push({ taskPath: task.taskPath, stateFile, phase: 'done', tokenUsage: task.tokenUsage, costUsd: task.totalCostUsd });
      const logs = path.join(root, 'logs', name);
      mkdirSync(logs, { recursive: true });
      writeFileSync(path.join(logs, '01-work.jsonl'), `{"type":"result","n":${k}}\n`);
      writeFileSync(path.join(logs, '01-work.log'), `task ${k}\n`);
    }
    const count = entries.length;
    const at = new Date(Date.UTC(2026, 10, 1)).toISOString();
    const sequence = {
      version: 1,
      tasksDir: 'tasks',
      shard: { index: i, count: shards },
      phase: 'done',
      completedTasks: entries.map((e) => e.taskPath),
      failedTasks: [],
      currentTaskPath: null,
      tasks: entries,
      stats: { tasksTotal: count, tasksCompleted: count, tasksFailed: 0, totalTokenUsage: {}, totalCostUsd: 0 },
      startedAt: at,
      updatedAt: at,
      finishedAt: at,
    };
    writeFileSync(path.join(state, 'sequence.state.json'), `${JSON.stringify(sequence, null, 2)}\n`);
    folders.push(state);
  }
  return folders;
}

/**
 * Merges `tasks` generated task states from 4 shards into one folder, merges again, then runs
 * `status` on it, for each size. `measure(args, options)` runs node with args and returns
 * { seconds, rss, keptHeap }.
 */
export async function benchMerge({ cli, measure, sizes = [1_000, 10_000, 20_000], shards = 4 }) {
  const rows = [];
  for (const tasks of sizes) {
    const base = mkdtempSync(path.join(os.tmpdir(), 'cp-bench-merge-'));
    try {
      process.stderr.write(`generating ${tasks} task states in ${shards} shards…\n`);
      const folders = generate(base, tasks, shards);
      const project = path.join(base, 'project');
      mkdirSync(project);
      writeFileSync(path.join(project, 'claude-project.yaml'), 'pipeline:\n  - name: work\n    prompt: Go.\n');
      const into = path.join(project, '.claude-project', 'state');
      const merge = await measure([cli, 'merge', ...folders, '--into', into], { cwd: project });
      const merged = JSON.parse(readFileSync(path.join(into, 'sequence.state.json'), 'utf8'));
      if (merged.stats.tasksCompleted !== tasks || merged.phase !== 'done' || merged.tasks.length !== tasks)
        throw new Error(`merge of ${tasks} tasks: ${merged.stats.tasksCompleted} done, phase ${merged.phase}`);
      const again = await measure([cli, 'merge', ...folders, '--into', into], { cwd: project });
      const status = await measure([cli, 'status'], { cwd: project });
      const sequenceBytes = statSync(path.join(into, 'sequence.state.json')).size;
      const budgetRead = JSON.parse(execFileSync(process.execPath, [path.join(here, 'folder-costs.mjs'), into], { encoding: 'utf8' }));
      rows.push({ tasks, merge, again, status, sequenceBytes, budgetRead });
      process.stderr.write(
        `${tasks} tasks: merge ${merge.seconds.toFixed(2)} s, again ${again.seconds.toFixed(2)} s, status ${status.seconds.toFixed(2)} s\n`,
      );
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }
  const mib = (bytes) => (bytes / 2 ** 20).toFixed(0);
  const cells = (r) => `${r.seconds.toFixed(2)} | ${mib(r.rss)} | ${mib(r.keptHeap)}`;
  const lines = [
    `| task states (${shards} shards) | merge s | RSS | kept | merge again s | RSS | kept | status s | RSS | kept | merged sequence.state.json | budget read, first / later ms |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.tasks.toLocaleString('en-US')} | ${cells(r.merge)} | ${cells(r.again)} | ${cells(r.status)} | ${(r.sequenceBytes / 2 ** 20).toFixed(1)} MiB | ${r.budgetRead.firstMs.toFixed(0)} / ${r.budgetRead.laterMs.toFixed(0)} |`,
    ),
  ];
  return { rows, table: lines.join('\n') };
}
