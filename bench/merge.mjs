// `node bench/run.mjs merge`: `merge` and `status` over generated task states (10,000 by default,
// and a tenth of that to show memory stays flat), time and peak RSS. Needs `npm run build` first.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CAP_MERGE_MIB = 48;
const CAP_STATUS_MIB = 64;
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

/** `shards` state folders (with logs beside them) holding `tasks` task states between them. */
export function generate(base, tasks, shards) {
  const folders = [];
  for (let i = 1; i <= shards; i++) {
    const root = path.join(base, 'shards', String(i));
    const state = path.join(root, 'state');
    mkdirSync(state, { recursive: true });
    let count = 0;
    for (let k = i - 1; k < tasks; k += shards) {
      const { name, state: task } = taskState(k);
      writeFileSync(path.join(state, `${name}.state.json`), `${JSON.stringify(task, null, 2)}\n`);
      const logs = path.join(root, 'logs', name);
      mkdirSync(logs, { recursive: true });
      writeFileSync(path.join(logs, '01-work.jsonl'), `{"type":"result","n":${k}}\n`);
      writeFileSync(path.join(logs, '01-work.log'), `task ${k}\n`);
      count++;
    }
    const at = new Date(Date.UTC(2026, 10, 1)).toISOString();
    const sequence = {
      version: 1,
      tasksDir: 'tasks',
      shard: { index: i, count: shards },
      phase: 'done',
      completedTasks: [],
      failedTasks: [],
      currentTaskPath: null,
      tasks: [],
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
 * Merges `tasks` generated task states from 4 shards into one folder, then runs `status` on it.
 * `measure(args, options)` runs node with args and returns { seconds, rss }.
 */
export async function benchMerge({ cli, measure, sizes = [1_000, 10_000], shards = 4 }) {
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
      if (merged.stats.tasksCompleted !== tasks || merged.phase !== 'done')
        throw new Error(`merge of ${tasks} tasks: ${merged.stats.tasksCompleted} done, phase ${merged.phase}`);
      const again = await measure([cli, 'merge', ...folders, '--into', into], { cwd: project });
      const status = await measure([cli, 'status'], { cwd: project });
      // Flat, not merely lazy GC: the same work with V8's old space capped far below the peak RSS.
      const capped =
        tasks === Math.max(...sizes)
          ? {
              merge: await measure(
                [`--max-old-space-size=${CAP_MERGE_MIB}`, cli, 'merge', ...folders, '--into', path.join(base, 'capped', 'state')],
                { cwd: project },
              ),
              status: await measure([`--max-old-space-size=${CAP_STATUS_MIB}`, cli, 'status'], { cwd: project }),
            }
          : undefined;
      const sequenceBytes = statSync(path.join(into, 'sequence.state.json')).size;
      rows.push({ tasks, merge, again, status, capped, sequenceBytes });
      process.stderr.write(
        `${tasks} tasks: merge ${merge.seconds.toFixed(2)} s, again ${again.seconds.toFixed(2)} s, status ${status.seconds.toFixed(2)} s\n`,
      );
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }
  const mib = (r) => (r.rss / 2 ** 20).toFixed(0);
  const lines = [
    `| task states (${shards} shards) | merge s | merge peak RSS MiB | merge again s | merge again peak RSS MiB | status s | status peak RSS MiB | merged sequence.state.json MiB |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.tasks.toLocaleString('en-US')} | ${r.merge.seconds.toFixed(2)} | ${mib(r.merge)} | ${r.again.seconds.toFixed(2)} | ${mib(r.again)} | ${r.status.seconds.toFixed(2)} | ${mib(r.status)} | ${(r.sequenceBytes / 2 ** 20).toFixed(1)} |`,
    ),
  ];
  const capped = rows.find((r) => r.capped)?.capped;
  if (capped) {
    lines.push(
      '',
      `With V8's old space capped (\`--max-old-space-size\`), over ${Math.max(...sizes).toLocaleString('en-US')} task states: ` +
        `merge at ${CAP_MERGE_MIB} MiB ran in ${capped.merge.seconds.toFixed(2)} s (peak RSS ${mib(capped.merge)} MiB), ` +
        `status at ${CAP_STATUS_MIB} MiB in ${capped.status.seconds.toFixed(2)} s (peak RSS ${mib(capped.status)} MiB). ` +
        'Neither holds the task states: merge reads, checks and copies 16 files at a time, status reads and prints 32 at a ' +
        'time. What still grows with the number of tasks is the merged sequence.state.json, one entry per task (path, ' +
        'phase, usage per model): merge builds it and status parses it whole.',
    );
  }
  return { rows, table: lines.join('\n') };
}
