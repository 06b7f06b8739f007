/**
 * kill -9 at random moments: a sequence of tasks (two steps each) runs against
 * the fake claude, which bills every message as the API would (its transcript entry is written,
 * and what was billed recorded, before the message is printed). claude-project is killed with
 * SIGKILL at 50 moments drawn from a seeded PRNG, the orphaned fake claude is stopped, every state
 * file must parse, and the sequence is resumed. When a round's sequence has run to completion, its
 * numbers must equal what the fake billed for every call that started: per call (attempt), per
 * step, per task and for the sequence, per model, to the token. Then a fresh round starts, until
 * 50 kills have been survived.
 *
 * The moments are events, not times, so the same kinds of kill happen however loaded the machine:
 * right after the start; as a call starts (claude-project may be writing the prompt); or with the
 * fake parked at a random point of a call's stream (between a message billed and printed, after
 * the result, ...). Each call says which task and step it serves from its environment, which a
 * kill cannot cut (a prompt can be).
 */
import {
  OPUS,
  Project,
  SONNET,
  billedRecords,
  billingCall,
  cleanup,
  config,
  emptyUsage,
  expectUsage,
  parseAllStates,
  prng,
  randInt,
  sessionOf,
  sumUsage,
  sweepOrphans,
  totalOf,
  usageOfBills,
  type Attempt,
  type ModelTokenUsage,
  type TokenUsage,
  knownCost,
  taskFileName,
  markedCalls,
  waitFor,
} from './helpers.js';
import { existsSync } from 'node:fs';
import path from 'node:path';

afterAll(cleanup);

const SEED = 0x5eed_2026;
const KILLS = 50;
const TASKS = ['01-alpha', '02-beta', '03-gamma'];
/** A kill comes with one of the next this-many calls (if the run gets that far). */
const CALLS_AHEAD = 2;

type KillPoint = { kind: 'at-start' } | { kind: 'call-starts'; call: number } | { kind: 'parked'; call: number; line: number };

interface Figures {
  kills: number;
  rounds: number;
  callsStarted: number;
  callsBilled: number;
  /** Kills that came before this run started any call, while a call was running, between calls. */
  killedWhen: { beforeAnyCall: number; duringACall: number; betweenCalls: number };
  killedAt: Record<KillPoint['kind'], number>;
  orphansStopped: number;
  orphansNeedingSigkill: number;
  recoveredAttempts: number;
  sources: Record<string, number>;
  runsToCompletion: number;
  lost: TokenUsage;
  doubled: TokenUsage;
}

interface Round {
  project: Project;
  /** The scenario without a park: each kill parks one call of a copy. */
  attempts: Attempt[];
}

async function newRound(rng: () => number): Promise<Round> {
  // Enough distinct calls for every kill of a round and the resumes after them (the last repeats).
  const attempts: Attempt[] = [];
  for (let i = 1; i <= 160; i++) attempts.push(billingCall(rng, `c${i}`, rng() < 0.5 ? SONNET : OPUS).attempt);
  const tasks: Record<string, string> = {};
  for (const t of TASKS) tasks[`tasks/${t}.md`] = `Task ${t}\n`;
  const project = await Project.create({
    config: config([
      { name: 'plan', model: OPUS, prompt: 'PLAN {{taskName}}' },
      { name: 'implement', prompt: 'IMPLEMENT {{taskName}}', check: { command: 'test -n "{{taskName}}"' } },
    ]),
    tasks,
    scenario: { attempts },
  });
  return { project, attempts };
}

/** The next kill: drawn from the PRNG, relative to the calls made so far. */
function drawKill(rng: () => number, callsBefore: number, attempts: Attempt[]): KillPoint {
  const kind = rng();
  if (kind < 0.1) return { kind: 'at-start' };
  const call = callsBefore + randInt(rng, 1, CALLS_AHEAD);
  if (kind < 0.35) return { kind: 'call-starts', call };
  const lines = attempts[Math.min(call, attempts.length) - 1]!.lines!.length;
  return { kind: 'parked', call, line: randInt(rng, 0, lines) };
}

/** The scenario with call `call` parked before line `line` (after the last line: before its exit). */
function parkedScenario(attempts: Attempt[], point: KillPoint): Attempt[] {
  if (point.kind !== 'parked') return attempts;
  return attempts.map((a, i) => {
    if (i !== point.call - 1) return a;
    const lines = [...a.lines!];
    lines.splice(point.line, 0, { $park: true });
    return { ...a, lines };
  });
}

/** Waits until the kill point is reached (true), or the run ends first (false). */
async function reached(project: Project, cli: Promise<unknown>, point: KillPoint): Promise<boolean> {
  if (point.kind === 'at-start') return true;
  const event =
    point.kind === 'parked'
      ? () => markedCalls(project, 'parked').includes(point.call)
      : () => existsSync(path.join(project.recordDir, 'calls.d', String(point.call)));
  let ended = false;
  void cli.finally(() => {
    ended = true;
  });
  await waitFor(`kill point ${JSON.stringify(point)}`, () => ended || event());
  return event();
}

/** Asserts that the finished round's state holds exactly what the fake billed; adds to the figures. */
async function verifyRound(project: Project, figures: Figures): Promise<void> {
  const calls = await project.calls();
  const bills = await billedRecords(project);
  figures.callsStarted += calls.length;
  figures.callsBilled += new Set(bills.map((b) => b.call)).size;

  // every call: which task and step it was for, and what it billed
  const perCall = calls.map((c) => {
    const taskName = path.basename(c.task!, '.md');
    return { sessionId: sessionOf(c.argv)!, taskName, step: c.step!, usage: usageOfBills(bills.filter((b) => b.call === c.attempt)) };
  });
  expect(perCall.filter((c) => !TASKS.includes(c.taskName) || !['plan', 'implement'].includes(c.step))).toEqual([]);
  expect(new Set(perCall.map((c) => c.sessionId)).size).toBe(calls.length);
  // a billed record always belongs to a recorded call
  expect(bills.every((b) => calls.some((c) => c.attempt === b.call))).toBe(true);

  const states = await parseAllStates(project.stateDir);
  let counted: ModelTokenUsage = {};
  for (const taskName of TASKS) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const state = states[`${taskFileName(`tasks/${taskName}.md`)}.state.json`] as any;
    expect(state.phase).toBe('done');
    const mine = perCall.filter((c) => c.taskName === taskName);
    for (const step of state.steps) {
      expect(step.status).toBe('done');
      expect(step.attempts.at(-1).outcome).toBe('passed');
      for (const attempt of step.attempts) {
        figures.sources[attempt.usageSource] = (figures.sources[attempt.usageSource] ?? 0) + 1;
        if (attempt.outcome === 'interrupted') figures.recoveredAttempts++;
        const call = mine.find((c) => c.sessionId === attempt.sessionId);
        // the attempt holds exactly what its call billed; an attempt whose call never started, nothing
        expectUsage(attempt.usage, call && call.step === step.name ? call.usage : {});
      }
      // every call of this step is one attempt of it, once
      const sessions = step.attempts.map((a: { sessionId: string }) => a.sessionId);
      for (const call of mine.filter((c) => c.step === step.name))
        expect(sessions.filter((s: string) => s === call.sessionId)).toHaveLength(1);
      expectUsage(step.usage, usageOfBills(bills.filter((b) => mine.some((c) => c.step === step.name && c.sessionId === b.sessionId))));
    }
    const taskBilled = sumUsage(...mine.map((c) => c.usage));
    expectUsage(state.tokenUsage, taskBilled);
    counted = sumUsage(counted, state.tokenUsage);
  }

  const billedTotal = usageOfBills(bills);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const sequence = states['sequence.state.json'] as any;
  expect(sequence.phase).toBe('done');
  expect(sequence.stats.tasksCompleted).toBe(TASKS.length);
  expect(sequence.completedTasks).toHaveLength(TASKS.length);
  expectUsage(sequence.stats.totalTokenUsage, billedTotal);
  expect(sequence.stats.totalCostUsd).toBeCloseTo(knownCost(totalOf(billedTotal).costUsd), 9);

  // lost = billed but not counted, doubled = counted but not billed (per token field, all models)
  const b = totalOf(billedTotal);
  const c = totalOf(counted);
  for (const field of ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens', 'costUsd'] as const) {
    const difference =
      field === 'costUsd' && Math.abs(knownCost(b[field]) - knownCost(c[field])) < 1e-9 ? 0 : knownCost(b[field]) - knownCost(c[field]);
    figures.lost[field] += Math.max(0, difference);
    figures.doubled[field] += Math.max(0, -difference);
  }
}

it(`survives ${KILLS} kill -9 at random moments (seed ${SEED}); the totals equal what was billed, to the token`, async () => {
  const rng = prng(SEED);
  const figures: Figures = {
    kills: 0,
    rounds: 0,
    callsStarted: 0,
    callsBilled: 0,
    killedWhen: { beforeAnyCall: 0, duringACall: 0, betweenCalls: 0 },
    killedAt: { 'at-start': 0, 'call-starts': 0, parked: 0 },
    orphansStopped: 0,
    orphansNeedingSigkill: 0,
    recoveredAttempts: 0,
    sources: {},
    runsToCompletion: 0,
    lost: emptyUsage(),
    doubled: emptyUsage(),
  };
  const started = Date.now();
  let round = await newRound(rng);
  while (figures.kills < KILLS) {
    const { project } = round;
    const callsBefore = (await project.calls()).length;
    const point = drawKill(rng, callsBefore, round.attempts);
    await project.writeScenario({ attempts: parkedScenario(round.attempts, point) });
    const cli = project.start(['sequence', 'tasks']);
    if (!(await reached(project, cli, point))) {
      const run = await cli;
      // a resumed run must never be refused (a stale lock of a killed run) or fail
      expect({ exitCode: run.exitCode, stderr: run.stderr.split('\n').filter((l) => /claude-project:/.test(l)) }).toEqual({
        exitCode: 0,
        stderr: [],
      });
      figures.runsToCompletion++;
      await verifyRound(project, figures);
      figures.rounds++;
      round = await newRound(rng);
      continue;
    }
    cli.kill('SIGKILL');
    const killed = await cli;
    if (killed.signal !== 'SIGKILL') {
      // it finished in the same instant (possible only for a kill right at the start): a completed run
      expect(killed.exitCode).toBe(0);
      continue;
    }
    figures.kills++;
    figures.killedAt[point.kind]++;
    const swept = await sweepOrphans(project);
    figures.orphansStopped += swept.found;
    const callsAfter = (await project.calls()).length;
    if (swept.found > 0) figures.killedWhen.duringACall++;
    else if (callsAfter === callsBefore) figures.killedWhen.beforeAnyCall++;
    else figures.killedWhen.betweenCalls++;
    figures.orphansNeedingSigkill += swept.forced;
    // every state file parses at every instant, in particular right after a kill -9
    await parseAllStates(project.stateDir);
  }
  const { project } = round;
  await project.writeScenario({ attempts: round.attempts });
  // the last round: run to completion
  const last = await project.run(['sequence', 'tasks']);
  expect(last.exitCode).toBe(0);
  figures.runsToCompletion++;
  await verifyRound(project, figures);
  figures.rounds++;

  expect(figures.orphansNeedingSigkill).toBe(0);
  expect(figures.lost).toEqual(emptyUsage());
  expect(figures.doubled).toEqual(emptyUsage());
  expect(figures.recoveredAttempts).toBeGreaterThan(0);
  expect(figures.killedAt.parked).toBeGreaterThan(0);
  process.stdout.write(`kill test figures: ${JSON.stringify({ ...figures, seconds: (Date.now() - started) / 1000 })}\n`);
}, 900_000);
