import { existsSync, readdirSync } from 'node:fs';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  HAIKU,
  OPUS,
  Project,
  SONNET,
  alive,
  assistant,
  billed,
  cleanup,
  config,
  expectUsage,
  fromModelUsage,
  init,
  result,
  snapshot,
  sumUsage,
  waitFor,
  type Attempt,
  type BilledUsage,
  type CliResult,
} from './helpers.js';

afterAll(cleanup);

const SHARDS = 3;
const NAMES = ['01-a', '02-b', '03-c', '04-d', '05-e', '06-f', '07-g'];
const TASKS = Object.fromEntries(NAMES.map((name) => [`tasks/${name}.md`, `Task ${name}\n`]));
/** What each task's one call bills: several models, so a total that drops or doubles a part shows. */
const BILLED: Record<string, Record<string, BilledUsage>> = {
  '01-a': { [SONNET]: billed(1_000, 100, 0, 0, 0.0045) },
  '02-b': { [OPUS]: billed(2_000, 300, 500, 1_000, 0.0625) },
  '03-c': { [SONNET]: billed(3_000, 50, 0, 7_000, 0.01185), [HAIKU]: billed(400, 40, 0, 0, 0.0006) },
  '04-d': { [HAIKU]: billed(1_234, 56, 78, 910, 0.001849) },
  '05-e': { [SONNET]: billed(5, 6, 7, 8, 0.00011) },
  '06-f': { [OPUS]: billed(10_000, 1_000, 0, 0, 0.225) },
  '07-g': { [SONNET]: billed(777, 77, 7, 0, 0.003497) },
};
/** Tasks of shard i of 3, by the rule: the k-th task (0-based, name order) to shard k mod 3 + 1. */
const OF_SHARD: Record<number, string[]> = { 1: ['01-a', '04-d', '07-g'], 2: ['02-b', '05-e'], 3: ['03-c', '06-f'] };
const shardConfig = () => config([{ name: 'work', prompt: 'DO {{taskName}}' }]);

function call(name: string, billing: Record<string, BilledUsage> = BILLED[name]!): Attempt {
  const model = Object.keys(billing)[0]!;
  return {
    lines: [
      init(`sess-${name}`),
      ...assistant({ id: `msg_${name}`, model, usage: snapshot(9), blocks: 2 }),
      result({ modelUsage: billing }),
    ],
  };
}

/** A copy of the project (as on its own machine) whose claude answers `names` in order. */
function projectFor(names: string[], first: Attempt[] = []): Promise<Project> {
  return Project.create({ config: shardConfig(), tasks: TASKS, scenario: { attempts: [...first, ...names.map((n) => call(n))] } });
}

const runShard = (project: Project, index: number): Promise<CliResult> =>
  project.run(['sequence', 'tasks', '--shard', `${index}/${SHARDS}`]);
const merge = (into: Project, from: string[]): Promise<CliResult> => into.run(['merge', ...from, '--into', into.stateDir]);

/** Every file of a folder tree with its bytes, by relative path. */
async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = await readFile(file, 'utf8');
  }
  return out;
}

/** Task states by task path, found by content (not by file name). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function taskStates(stateDir: string): Promise<Map<string, any>> {
  const names = (await readdir(stateDir)).filter((n) => n.endsWith('.state.json') && n !== 'sequence.state.json');
  const states = await Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(stateDir, n), 'utf8'))));
  return new Map(states.map((s) => [s.taskPath, s]));
}

const _readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));
const expectedTotal = sumUsage(...NAMES.map((n) => fromModelUsage(BILLED[n]!)));

describe('sequence --shard i/n on separate copies of a project, then merge', () => {
  let unsharded: Project;
  let shards: Project[];
  let merged: Project;
  let mergeRun: CliResult;

  beforeAll(async () => {
    unsharded = await projectFor(NAMES);
    shards = await Promise.all([1, 2, 3].map((i) => projectFor(OF_SHARD[i]!)));
    merged = await Project.create({ config: shardConfig(), tasks: TASKS });
    const [whole, ...parts] = await Promise.all([unsharded.run(['sequence', 'tasks']), ...shards.map((p, i) => runShard(p, i + 1))]);
    for (const run of [whole!, ...parts]) expect(run.exitCode).toBe(0);
    mergeRun = await merge(
      merged,
      shards.map((p) => p.stateDir),
    );
  });

  it('each shard runs exactly its tasks, in name order, and records its shard', async () => {
    for (const [i, project] of shards.entries()) {
      const asked = (await project.calls()).map((c) => c.stdin.split('\n')[0]);
      expect(asked).toEqual(OF_SHARD[i + 1]!.map((n) => `DO ${n}`));
      const seq = await project.sequenceState();
      expect(seq.shard).toEqual({ index: i + 1, count: SHARDS });
      expect(seq.stats.tasksTotal).toBe(OF_SHARD[i + 1]!.length);
    }
    expect((await unsharded.sequenceState()).shard).toBeNull();
  });

  it('the merged totals equal one unsharded run of the same tasks, to the token', async () => {
    expect(mergeRun.exitCode).toBe(0);
    const seq = await merged.sequenceState();
    const whole = await unsharded.sequenceState();
    expect(seq.stats.totalTokenUsage).toEqual(whole.stats.totalTokenUsage);
    expectUsage(seq.stats.totalTokenUsage, expectedTotal);
    expect(seq.stats.totalCostUsd).toBe(whole.stats.totalCostUsd);
    expect(seq.phase).toBe('done');
    expect(seq.stats).toMatchObject({ tasksTotal: 7, tasksCompleted: 7, tasksFailed: 0 });
    expect(seq.completedTasks).toEqual(NAMES.map((n) => `tasks/${n}.md`));
    expect(seq.shard).toBeNull();
    expect(seq.mergedShards).toEqual([1, 2, 3].map((index) => ({ index, count: SHARDS, tasksTotal: OF_SHARD[index]!.length })));
    const states = await taskStates(merged.stateDir);
    expect([...states.keys()].sort()).toEqual(NAMES.map((n) => `tasks/${n}.md`));
    for (const name of NAMES) expectUsage(states.get(`tasks/${name}.md`).tokenUsage, fromModelUsage(BILLED[name]!));
  });

  it('status, recount and report work on the merged folder (the logs came along)', async () => {
    const status = await merged.run(['status', '--json']);
    expect(status.exitCode).toBe(0);
    const data = JSON.parse(status.stdout);
    expect(data.tasks).toHaveLength(7);
    expect(data.sequence.tasksCompleted).toBe(7);
    const recount = await merged.run(['recount']);
    expect(recount.stdout).toContain('State files match the raw logs.');
    expect(recount.stdout).not.toMatch(/without a raw log/);
    expect(recount.exitCode).toBe(0);
    const report = await merged.run(['report', '--html', 'report.html']);
    expect(report.exitCode).toBe(0);
    expect(existsSync(path.join(merged.dir, 'report.html'))).toBe(true);
  });

  it('merging again changes no byte', async () => {
    const before = { state: await snapshotTree(merged.stateDir), logs: await snapshotTree(merged.logsDir) };
    const again = await merge(
      merged,
      shards.map((p) => p.stateDir),
    );
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/0 task\(s\) copied, 7 already there/);
    expect({ state: await snapshotTree(merged.stateDir), logs: await snapshotTree(merged.logsDir) }).toEqual(before);
  });

  it('the same shard from two folders, byte-identical, is taken once', async () => {
    const into = await Project.create({ config: shardConfig(), tasks: TASKS });
    const copy = await Project.create({ config: shardConfig(), tasks: TASKS });
    await cp(path.join(shards[0]!.dir, '.claude-project'), path.join(copy.dir, '.claude-project'), { recursive: true });
    const run = await merge(into, [...shards.map((p) => p.stateDir), copy.stateDir]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/7 task\(s\) copied, 0 already there, 3 identical duplicate\(s\) taken once/);
    expect((await into.sequenceState()).stats.totalTokenUsage).toEqual((await unsharded.sequenceState()).stats.totalTokenUsage);
  });

  it('the same task with different content in two folders is refused (exit 2, naming both files), and nothing is written', async () => {
    const other = await projectFor([], [call('01-a', { [SONNET]: billed(1_001, 100, 0, 0, 0.004503) }), call('04-d'), call('07-g')]);
    expect((await runShard(other, 1)).exitCode).toBe(0);
    const into = await Project.create({ config: shardConfig(), tasks: TASKS });
    const run = await merge(into, [shards[0]!.stateDir, other.stateDir]);
    expect(run.exitCode).toBe(2);
    const [first, second] = [shards[0]!, other].map((p) => readdirSync(p.stateDir).find((n) => n.includes('01-a'))!);
    expect(run.stderr).toContain(path.join(shards[0]!.stateDir, first!));
    expect(run.stderr).toContain(path.join(other.stateDir, second!));
    expect(run.stderr).toContain('tasks/01-a.md');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const left = existsSync(into.stateDir) ? (await readdir(into.stateDir)).filter((n) => n.endsWith('.json')) : [];
    expect(left).toEqual([]);
    expect(existsSync(into.logsDir)).toBe(false);
  });

  it('two different tasks under one state file name are refused (exit 2, naming both), and nothing is written', async () => {
    const other = await Project.create({ config: shardConfig(), tasks: TASKS });
    await cp(path.join(shards[0]!.dir, '.claude-project'), path.join(other.dir, '.claude-project'), { recursive: true });
    const name = readdirSync(other.stateDir).find((n) => n.includes('01-a'))!;
    const file = path.join(other.stateDir, name);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"taskPath": "tasks/01-a.md"', '"taskPath": "elsewhere/01-a.md"'));
    const into = await Project.create({ config: shardConfig(), tasks: TASKS });
    const run = await merge(into, [shards[0]!.stateDir, other.stateDir]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`${path.join(shards[0]!.stateDir, name)} and ${file} share a file name but are different tasks`);
    expect(run.stderr).toContain('(tasks/01-a.md, elsewhere/01-a.md)');
    expect(existsSync(into.stateDir) ? (await readdir(into.stateDir)).filter((n) => n.endsWith('.json')) : []).toEqual([]);
  });

  it('a missing shard is named, and the merge is not called done', async () => {
    const into = await Project.create({ config: shardConfig(), tasks: TASKS });
    const run = await merge(into, [shards[0]!.stateDir, shards[1]!.stateDir]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('shard(s) 3/3 not merged yet');
    const seq = await into.sequenceState();
    expect(seq.phase).toBe('interrupted');
    expectUsage(seq.stats.totalTokenUsage, sumUsage(...[...OF_SHARD[1]!, ...OF_SHARD[2]!].map((n) => fromModelUsage(BILLED[n]!))));
  });

  it('a shard killed mid-task and re-run before the merge: the merge equals the unsharded run', async () => {
    // The machine dies while claude has printed nothing: the lost attempt billed nothing.
    const killed = await projectFor(OF_SHARD[2]!, [{ lines: [], hang: true }]);
    const cli = killed.start(['sequence', 'tasks', '--shard', `2/${SHARDS}`], { detached: true });
    await waitFor('the first call', async () => (await killed.calls()).length === 1);
    await waitFor('the pid of claude in the state', async () => {
      const states = await taskStates(killed.stateDir).catch(() => new Map());
      return states.get('tasks/02-b.md')?.steps?.[0]?.attempts?.[0]?.pid !== undefined;
    });
    // everything on the machine dies: claude-project's process group, and claude's own
    process.kill(-cli.pid!, 'SIGKILL');
    await cli;
    const [lost] = await killed.calls();
    process.kill(-lost!.pid, 'SIGKILL');
    await waitFor('claude gone with its machine', () => !alive(lost!.pid));

    const early = await Project.create({ config: shardConfig(), tasks: TASKS });
    expect((await merge(early, [shards[0]!.stateDir, killed.stateDir, shards[2]!.stateDir])).exitCode).toBe(0);
    expect((await early.sequenceState()).phase).toBe('interrupted');

    const rerun = await runShard(killed, 2);
    expect(rerun.exitCode).toBe(0);
    const into = await Project.create({ config: shardConfig(), tasks: TASKS });
    const run = await merge(into, [shards[0]!.stateDir, killed.stateDir, shards[2]!.stateDir]);
    expect(run.exitCode).toBe(0);
    const seq = await into.sequenceState();
    expect(seq.phase).toBe('done');
    expect(seq.stats.totalTokenUsage).toEqual((await unsharded.sequenceState()).stats.totalTokenUsage);
    const attempts = (await taskStates(into.stateDir)).get('tasks/02-b.md').steps[0].attempts;
    expect(attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['interrupted', 'passed']);
  });
});

describe('bad --shard values', () => {
  it.each(['0/3', '4/3', 'a/b', '1/0', '2'])('--shard %s exits 2 before anything runs', async (value) => {
    const project = await projectFor(NAMES);
    const run = await project.run(['sequence', 'tasks', '--shard', value]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`--shard ${JSON.stringify(value)}`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await project.calls()).toEqual([]);
    expect(existsSync(project.stateDir)).toBe(false);
  });

  it('--shard is refused on commands other than sequence', async () => {
    const project = await projectFor(NAMES);
    const run = await project.run(['run', 'tasks/01-a.md', '--shard', '1/2']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("unknown option '--shard'");
  });
});

describe('shards and the sequence state of one folder', () => {
  it('a shard with no task (more shards than tasks) ends at once with exit 0', async () => {
    const project = await projectFor(NAMES);
    const run = await project.run(['sequence', 'tasks', '--shard', '9/9']);
    expect(run.exitCode).toBe(0);
    expect(await project.calls()).toEqual([]);
    const seq = await project.sequenceState();
    expect(seq).toMatchObject({ phase: 'done', shard: { index: 9, count: 9 }, stats: { tasksTotal: 0, tasksCompleted: 0 } });
  });

  it('another shard in the same state folder starts a new sequence state; the old one is kept aside', async () => {
    const project = await projectFor([...OF_SHARD[1]!, ...OF_SHARD[2]!]);
    expect((await runShard(project, 1)).exitCode).toBe(0);
    expect((await runShard(project, 2)).exitCode).toBe(0);
    const seq = await project.sequenceState();
    expect(seq.shard).toEqual({ index: 2, count: SHARDS });
    expect(seq.tasks.map((t: { taskPath: string }) => t.taskPath)).toEqual(OF_SHARD[2]!.map((n) => `tasks/${n}.md`));
    expectUsage(seq.stats.totalTokenUsage, sumUsage(...OF_SHARD[2]!.map((n) => fromModelUsage(BILLED[n]!))));
    const aside = readdirSync(project.stateDir).filter((n) => n.startsWith('sequence.state.json.previous-'));
    expect(aside).toHaveLength(1);
    expect(JSON.parse(await readFile(path.join(project.stateDir, aside[0]!), 'utf8')).shard).toEqual({ index: 1, count: SHARDS });
  });
});
