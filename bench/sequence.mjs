// A long sequence with a fast fake claude: the wrapper's own time per task at the start and at
// the end of a 5,000-task sequence, and the time to re-run a finished 1,000-task sequence (every
// task already done). `node bench/run.mjs sequence` runs this part alone. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const cli = path.join(root, 'dist', 'cli.js');
const { rollUpTasks } = await import(path.join(root, 'dist', 'state', 'roll-up.js'));
/** A real Claude Code stream (one short answer), replayed by `cat` for every call. */
const STREAM = path.join(root, 'test', 'fixtures', 'plain-answer.jsonl');

function project(tasks) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cp-bench-seq-'));
  mkdirSync(path.join(dir, 'tasks'));
  for (let i = 1; i <= tasks; i++) writeFileSync(path.join(dir, 'tasks', `${String(i).padStart(5, '0')}.md`), `Task ${i}.\n`);
  writeFileSync(
    path.join(dir, 'claude-project.yaml'),
    `claude:\n  command: ${path.join(here, 'stream-file.sh')}\npipeline:\n  - name: answer\n    prompt: Go.\n`,
  );
  return dir;
}

function timed(command, args, cwd, onStart = () => {}) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, BENCH_STREAM_FILE: STREAM } });
    onStart(child.pid);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - started) / 1e6)
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
    );
  });
}

/** CPU time (user + system, ms) a process has used itself, its children not counted (Linux). */
function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * The wrapper's own CPU time at the start of task `k`, for each k in `marks`: the state folder is
 * looked at every 100 ms, and a task's state file appears as it starts. On a machine shared with
 * other work this is the fairer measure: wall time per task also holds the waits for a core.
 */
function watchCpu(pid, stateDir, marks) {
  const at = new Map();
  const timer = setInterval(() => {
    let started = 0;
    try {
      started = readdirSync(stateDir).filter((n) => n.endsWith('.state.json') && n !== 'sequence.state.json').length;
      for (const k of marks) if (!at.has(k) && started >= k) at.set(k, cpuMsOf(pid));
    } catch {
      // not there yet, or the process has ended
    }
  }, 100);
  return { at, stop: () => clearInterval(timer) };
}

/** What one fake claude call costs by itself (median of 31), to take out of the time per task. */
async function fakeCallMs() {
  const times = [];
  for (let i = 0; i < 31; i++) times.push(await timed(path.join(here, 'stream-file.sh'), [], here));
  return times.sort((a, b) => a - b)[15];
}

/** The task states in task order, and the sequence state; fails unless the sequence's totals are its tasks' to the token. */
function readStates(dir, tasks) {
  const stateDir = path.join(dir, '.claude-project', 'state');
  const states = readdirSync(stateDir)
    .filter((name) => name.endsWith('.state.json') && name !== 'sequence.state.json')
    .map((name) => JSON.parse(readFileSync(path.join(stateDir, name), 'utf8')))
    .sort((a, b) => (a.taskPath < b.taskPath ? -1 : 1));
  const sequence = JSON.parse(readFileSync(path.join(stateDir, 'sequence.state.json'), 'utf8'));
  if (states.length !== tasks || states.some((s) => s.phase !== 'done')) throw new Error(`${dir}: not every task is done`);
  const expected = rollUpTasks(states).tokenUsage;
  if (JSON.stringify(sequence.stats.totalTokenUsage) !== JSON.stringify(expected) || sequence.stats.tasksCompleted !== tasks) {
    throw new Error(`${dir}: sequence totals ${JSON.stringify(sequence.stats)} are not the tasks' ${JSON.stringify(expected)}`);
  }
  return states;
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

export async function benchSequence({
  tasks = Number(process.env.BENCH_SEQUENCE_TASKS ?? 5000),
  rerunTasks = Number(process.env.BENCH_RERUN_TASKS ?? 1000),
  window = 100,
} = {}) {
  const callMs = await fakeCallMs();
  const long = project(tasks);
  process.stderr.write(`sequence of ${tasks} tasks in ${long}…\n`);
  const marks = [1, window + 1, tasks - window, tasks];
  let watch;
  const longMs = await timed(process.execPath, [cli, 'sequence', 'tasks', '--quiet'], long, (pid) => {
    watch = watchCpu(pid, path.join(long, '.claude-project', 'state'), marks);
  });
  watch.stop();
  const cpu = (from, to) => (watch.at.get(to) - watch.at.get(from)) / (to - from);
  const states = readStates(long, tasks);
  // A task's time is from the end of the one before to its own end: everything the wrapper did for it.
  const ends = states.map((s) => Date.parse(s.finishedAt));
  const perTask = ends.slice(1).map((end, i) => end - ends[i]);
  const wall = { first: mean(perTask.slice(0, window)) - callMs, last: mean(perTask.slice(-window)) - callMs };
  const cpuPerTask = { first: cpu(marks[0], marks[1]), last: cpu(marks[2], marks[3]) };

  // the long sequence, when it is the size asked for, is the finished sequence to re-run
  const finished = rerunTasks === tasks ? long : project(rerunTasks);
  if (finished !== long) {
    process.stderr.write(`a ${rerunTasks}-task sequence to re-run…\n`);
    await timed(process.execPath, [cli, 'sequence', 'tasks', '--quiet'], finished);
  }
  process.stderr.write(`re-run of a finished ${rerunTasks}-task sequence…\n`);
  // its CPU time too (user + system, from GNU time when there is one): on a shared machine wall time mostly measures waiting
  const cpuFile = path.join(os.tmpdir(), `bench-rerun-cpu-${process.pid}`);
  const gnuTime = existsSync('/usr/bin/time');
  const rerunMs = gnuTime
    ? await timed('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, process.execPath, cli, 'sequence', 'tasks', '--quiet'], finished)
    : await timed(process.execPath, [cli, 'sequence', 'tasks', '--quiet'], finished);
  const rerunCpuMs = gnuTime
    ? readFileSync(cpuFile, 'utf8')
        .trim()
        .split('\n')
        .at(-1)
        .split(' ')
        .map(Number)
        .reduce((a, b) => a + b, 0) * 1000
    : null;
  rmSync(cpuFile, { force: true });
  readStates(finished, rerunTasks);
  rmSync(finished, { recursive: true, force: true });
  rmSync(long, { recursive: true, force: true });
  return { tasks, rerunTasks, window, callMs, longMs, wall, cpuPerTask, rerunMs, rerunCpuMs };
}
