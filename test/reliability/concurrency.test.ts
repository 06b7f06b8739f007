/**
 * Concurrency: many claude-project processes on one state folder, against the fake
 * claude, which bills every message (transcript entry + record) as the API would. Whatever the
 * interleaving: every state file parses and holds exactly what was billed, no update lost; a task
 * (or a sequence) being run by a live process is refused naming it; a dead process's lock is
 * taken over.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  OPUS,
  Project,
  REPO,
  SONNET,
  alive,
  billedRecords,
  billingCall,
  cleanup,
  config,
  expectUsage,
  prng,
  sumUsage,
  waitFor,
  type Attempt,
  type CliResult,
} from './helpers.js';
import { expectStatesMatchBilled } from './verify.js';

afterAll(cleanup);

const SEED = 0xc0c0_2026;
const PROCESSES = 8;

const taskNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `${String(i + 1).padStart(2, '0')}-task`);

/** The file that opens the gate of a gated project's calls (relative to its scenario file). */
const GATE = 'gate-open';

/**
 * A project of `tasks` tasks (plan on opus, implement on sonnet with a check); every call bills
 * as it goes. `gated`: every call waits, once started, until the test opens the gate
 * (`openGate`), so a race's loser finds the task still running however slowly it starts.
 */
async function billingProject(seed: number, tasks: string[], gated = false): Promise<Project> {
  const rng = prng(seed);
  const attempts: Attempt[] = [];
  for (let i = 1; i <= tasks.length * 2 + 8; i++)
    attempts.push(billingCall(rng, `c${i}`, rng() < 0.5 ? SONNET : OPUS, gated ? { gate: GATE } : {}).attempt);
  return Project.create({
    config: config([
      { name: 'plan', model: OPUS, prompt: 'PLAN {{taskName}}' },
      { name: 'implement', prompt: 'IMPLEMENT {{taskName}}', check: { command: 'test -n "{{taskName}}"' } },
    ]),
    tasks: Object.fromEntries(tasks.map((t) => [`tasks/${t}.md`, `Task ${t}\n`])),
    scenario: { attempts },
  });
}

/**
 * Starts all these commands at once; resolves with each one's result and pid. With
 * `openGateAfter`, the project's gate opens once that many of them have ended (the refused ones:
 * the others' calls wait at the gate).
 */
async function together(project: Project, commands: string[][], openGateAfter?: number): Promise<Array<CliResult & { pid: number }>> {
  let ended = 0;
  const started = commands.map((args) => project.start(args));
  const results = Promise.all(
    started.map(async (cli) => {
      const r = await cli;
      ended++;
      return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), durationMs: 0, pid: cli.pid! };
    }),
  );
  if (openGateAfter !== undefined) {
    await waitFor(`${openGateAfter} of the racers to end`, () => ended >= openGateAfter);
    await writeFile(path.join(path.dirname(project.scenarioFile), GATE), '');
  }
  return results;
}

/** Nothing left behind in the state folder: no lock, no owner file, no temp file. */
async function expectNoLeftovers(project: Project): Promise<void> {
  expect((await readdir(project.stateDir)).filter((n) => n.includes('.run.') || n.endsWith('.lock') || n.endsWith('.tmp'))).toEqual([]);
}

const refusal = (stderr: string): string | undefined => stderr.split('\n').find((l) => l.includes('already being run'));

it(`${PROCESSES} processes run ${PROCESSES} different tasks at once on one state folder: every state exact, no update lost`, async () => {
  const tasks = taskNames(PROCESSES);
  const project = await billingProject(SEED, tasks);
  const runs = await together(
    project,
    tasks.map((t) => ['run', `tasks/${t}.md`]),
  );
  expect(runs.map((r) => ({ exitCode: r.exitCode, refused: refusal(r.stderr) }))).toEqual(
    tasks.map(() => ({ exitCode: 0, refused: undefined })),
  );
  const accounting = await expectStatesMatchBilled(project, tasks);
  expect(accounting.calls).toBe(PROCESSES * 2);
  await expectNoLeftovers(project);
  process.stdout.write(
    `concurrency: ${PROCESSES} processes, ${accounting.calls} calls, lost ${JSON.stringify(accounting.lost)}, doubled ${JSON.stringify(accounting.doubled)}\n`,
  );
});

it('two processes race for the same task (three tasks at once): one runs it, the other exits 2 naming its pid; counted once', async () => {
  const tasks = taskNames(3);
  const project = await billingProject(SEED + 1, tasks, true);
  const runs = await together(
    project,
    tasks.flatMap((t) => [
      ['run', `tasks/${t}.md`],
      ['run', `tasks/${t}.md`],
    ]),
    tasks.length,
  );
  for (let i = 0; i < tasks.length; i++) {
    const pair = [runs[2 * i]!, runs[2 * i + 1]!];
    const winner = pair.find((r) => r.exitCode === 0);
    const loser = pair.find((r) => r !== winner);
    expect(pair.map((r) => r.exitCode).sort()).toEqual([0, 2]);
    expect(refusal(loser!.stderr)).toContain(`Task tasks/${tasks[i]}.md is already being run by process ${winner!.pid} `);
  }
  const accounting = await expectStatesMatchBilled(project, tasks);
  expect(accounting.calls).toBe(tasks.length * 2);
  await expectNoLeftovers(project);
});

it(`${PROCESSES} processes × 30 locked read-modify-writes of one state file (the real dist/state/locked-update.js): none lost`, async () => {
  const project = await Project.create();
  const file = path.join(project.stateDir, 'shared.state.json');
  const module = pathToFileURL(path.join(REPO, 'dist', 'state', 'locked-update.js')).href;
  const zod = pathToFileURL(path.join(REPO, 'node_modules', 'zod', 'index.js')).href;
  const script = `
    import { updateJsonLocked } from ${JSON.stringify(module)};
    import { z } from ${JSON.stringify(zod)};
    const schema = z.object({ writes: z.array(z.string()) });
    for (let i = 0; i < 30; i++) {
      await updateJsonLocked(process.env.FILE, schema, (s) => ({ writes: [...(s?.writes ?? []), process.env.WHO + ':' + i] }));
    }`;
  const writers = Array.from({ length: PROCESSES }, (_, w) =>
    execa(process.execPath, ['--input-type=module', '-e', script], { env: { FILE: file, WHO: `w${w}` }, reject: false }),
  );
  const ends = await Promise.all(writers);
  expect(ends.map((e) => ({ exitCode: e.exitCode, stderr: e.stderr }))).toEqual(writers.map(() => ({ exitCode: 0, stderr: '' })));
  const { writes } = JSON.parse(await readFile(file, 'utf8')) as { writes: string[] };
  expect(writes).toHaveLength(PROCESSES * 30);
  for (let w = 0; w < PROCESSES; w++)
    expect(writes.filter((x) => x.startsWith(`w${w}:`))).toEqual(Array.from({ length: 30 }, (_, i) => `w${w}:${i}`));
  await expectNoLeftovers(project);
});

describe('a stale lock of a dead process', () => {
  /** A pid that no process has any more. */
  async function deadPid(): Promise<number> {
    const gone = execa(process.execPath, ['-e', '']);
    await gone;
    expect(alive(gone.pid!)).toBe(false);
    return gone.pid!;
  }

  /** What a claude-project killed while holding a task's run lock leaves: the lock folder and its owner file. */
  async function leaveStaleLock(project: Project, task: string, pid: number | undefined): Promise<string[]> {
    const stateFile = project.taskStateFile(task);
    await mkdir(`${stateFile}.run.lock`, { recursive: true });
    if (pid === undefined) return [`${stateFile}.run.lock`];
    const owner = `${stateFile}.run.owner.${pid}.json`;
    await writeFile(
      owner,
      JSON.stringify({ pid, host: os.hostname(), startedAt: new Date().toISOString(), command: 'dist/cli.js run', acquired: true }),
    );
    return [`${stateFile}.run.lock`, owner];
  }

  it.concurrent('is taken over at once (with or without its owner file), and the run succeeds', async () => {
    const tasks = taskNames(2);
    const project = await billingProject(SEED + 2, tasks);
    const left = [...(await leaveStaleLock(project, tasks[0]!, await deadPid())), ...(await leaveStaleLock(project, tasks[1]!, undefined))];
    const runs = await together(
      project,
      tasks.map((t) => ['run', `tasks/${t}.md`]),
    );
    expect(runs.map((r) => ({ exitCode: r.exitCode, refused: refusal(r.stderr) }))).toEqual(
      tasks.map(() => ({ exitCode: 0, refused: undefined })),
    );
    await expectStatesMatchBilled(project, tasks);
    expect(left.filter((f) => existsSync(f))).toEqual([]);
    await expectNoLeftovers(project);
  });

  it.concurrent('a live process still waiting to take it (not holding it) does not stop the takeover', async () => {
    const tasks = taskNames(1);
    const project = await billingProject(SEED + 5, tasks);
    await leaveStaleLock(project, tasks[0]!, await deadPid());
    // a contender that wrote its owner file and is still waiting its turn: alive, not holding the lock
    const waiting = execa(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      await writeFile(
        `${project.taskStateFile(tasks[0]!)}.run.owner.${waiting.pid}.json`,
        JSON.stringify({ pid: waiting.pid, host: os.hostname(), startedAt: new Date().toISOString(), command: 'dist/cli.js run' }),
      );
      const [run] = await together(project, [['run', `tasks/${tasks[0]}.md`]]);
      expect({ exitCode: run!.exitCode, refused: refusal(run!.stderr) }).toEqual({ exitCode: 0, refused: undefined });
      await expectStatesMatchBilled(project, tasks);
    } finally {
      waiting.kill('SIGKILL');
      await waiting.catch(() => undefined);
    }
  });

  it.concurrent('two processes taking it over at once: one runs the task, the other is refused naming it', async () => {
    const tasks = taskNames(1);
    // the winner's calls wait at the gate until the loser has ended: it must find the task running
    const project = await billingProject(SEED + 3, tasks, true);
    await leaveStaleLock(project, tasks[0]!, await deadPid());
    const runs = await together(
      project,
      [
        ['run', `tasks/${tasks[0]}.md`],
        ['run', `tasks/${tasks[0]}.md`],
      ],
      1,
    );
    expect(runs.map((r) => r.exitCode).sort()).toEqual([0, 2]);
    const winner = runs.find((r) => r.exitCode === 0)!;
    expect(refusal(runs.find((r) => r !== winner)!.stderr)).toContain(`already being run by process ${winner.pid} `);
    const accounting = await expectStatesMatchBilled(project, tasks);
    expect(accounting.calls).toBe(2);
    await expectNoLeftovers(project);
  });
});

describe('a sequence and other runs on the same state folder', () => {
  it.concurrent('sequence + runs of two of its tasks at once: nothing lost; the sequence resumes and sums every task once', async () => {
    const tasks = taskNames(4);
    const project = await billingProject(SEED + 4, tasks);
    const [sequence, run3, run4] = await together(project, [
      ['sequence', 'tasks'],
      ['run', `tasks/${tasks[2]}.md`],
      ['run', `tasks/${tasks[3]}.md`],
    ]);
    expect([run3!.exitCode, run4!.exitCode]).toEqual([0, 0]);
    // the sequence either found those tasks done, or one still running (refused, naming its process)
    if (sequence!.exitCode !== 0) {
      expect(sequence!.exitCode).toBe(2);
      expect(refusal(sequence!.stderr)).toMatch(new RegExp(`already being run by process (${run3!.pid}|${run4!.pid}) `));
      const again = await project.run(['sequence', 'tasks']);
      expect(again.exitCode).toBe(0);
    }
    const accounting = await expectStatesMatchBilled(project, tasks);
    expect(accounting.calls).toBe(tasks.length * 2);
    const state = await project.sequenceState();
    expect(state.phase).toBe('done');
    expect([...state.completedTasks].sort()).toEqual(tasks.map((t) => `tasks/${t}.md`));
    for (const t of tasks)
      expectUsage(
        state.tasks.find((e: { taskPath: string }) => e.taskPath === `tasks/${t}.md`).tokenUsage,
        (await project.taskState(t)).tokenUsage,
      );
    expectUsage(state.stats.totalTokenUsage, accounting.billed);
    await expectNoLeftovers(project);
  });

  it.concurrent('a sequence that reaches a task another process is running: exit 2 naming it; after that run is stopped, the sequence resumes; all exact', async () => {
    const tasks = taskNames(3);
    const rng = prng(SEED + 6);
    // call 1 (run of task 02): bills, streams, then hangs without a result; then calls that finish
    const hung = billingCall(rng, 'hung', SONNET).attempt;
    const attempts: Attempt[] = [{ ...hung, lines: hung.lines!.slice(0, -1), hang: true }];
    for (let i = 1; i <= 8; i++) attempts.push(billingCall(rng, `c${i}`, OPUS).attempt);
    const project = await billingProject(SEED + 6, tasks);
    await project.writeScenario({ attempts });

    const running = project.start(['run', `tasks/${tasks[1]}.md`]);
    await waitFor(
      'task 02 streaming',
      async () => existsSync(`${project.stepLogBase(tasks[1]!, 0, 'plan')}.jsonl`) && (await billedRecords(project)).length > 0,
    );
    const sequence = await project.run(['sequence', 'tasks']);
    expect(sequence.exitCode).toBe(2);
    expect(refusal(sequence.stderr)).toContain(`Task tasks/${tasks[1]}.md is already being run by process ${running.pid} `);
    const stopped = await project.sequenceState();
    expect({ phase: stopped.phase, completed: stopped.completedTasks }).toEqual({ phase: 'failed', completed: [`tasks/${tasks[0]}.md`] });

    process.kill(running.pid!, 'SIGTERM');
    expect((await running).exitCode).toBe(130);
    const resumed = await project.run(['sequence', 'tasks']);
    expect(resumed.exitCode).toBe(0);
    const accounting = await expectStatesMatchBilled(project, tasks);
    // the hung call is one interrupted attempt of task 02, counted from its transcript
    const interrupted = (await project.taskState(tasks[1]!)).steps[0].attempts[0];
    expect({ outcome: interrupted.outcome, source: interrupted.usageSource }).toEqual({ outcome: 'interrupted', source: 'transcript' });
    expectUsage((await project.sequenceState()).stats.totalTokenUsage, accounting.billed);
    await expectNoLeftovers(project);
  });

  it.concurrent('two sequences of one state folder at once: the second is refused naming the first, and never touches sequence.state.json', async () => {
    const first = taskNames(3);
    const project = await billingProject(SEED + 5, first, true);
    await project.writeFile('other/09-other.md', 'Other\n');
    const [a, b] = await together(
      project,
      [
        ['sequence', 'tasks'],
        ['sequence', 'other'],
      ],
      1,
    );
    const winner = [a!, b!].find((r) => r.exitCode === 0)!;
    const loser = [a!, b!].find((r) => r !== winner)!;
    expect(loser.exitCode).toBe(2);
    expect(refusal(loser.stderr)).toContain(`already being run by process ${winner.pid} `);
    const state = await project.sequenceState();
    expect(state.phase).toBe('done');
    const done = winner === a ? first : ['09-other'];
    expect(state.tasksDir).toBe(winner === a ? 'tasks' : 'other');
    const accounting = await expectStatesMatchBilled(project, done);
    expect(accounting.calls).toBe(done.length * 2);
    expectUsage(
      state.stats.totalTokenUsage,
      sumUsage(...(await Promise.all(done.map(async (t) => (await project.taskState(t)).tokenUsage)))),
    );
    // the refused sequence left no moved-aside sequence state either
    expect((await readdir(project.stateDir)).filter((n) => n.startsWith('sequence.state.json.'))).toEqual([]);
    await expectNoLeftovers(project);
  });
});
