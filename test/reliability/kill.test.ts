/**
 * kill -9 at random moments: a sequence of tasks (two steps each) runs against
 * the fake claude, which bills every message as the API would (its transcript entry is written,
 * and what was billed recorded, before the message is printed). claude-project is killed with
 * SIGKILL at 50 moments drawn from a seeded PRNG, the orphaned fake claude is stopped, every state
 * file must parse, and the sequence is resumed. When a round's sequence has run to completion, its
 * numbers must equal what the fake billed for every call that started: per call (attempt), per
 * step, per task and for the sequence, per model, to the token. Then a fresh round starts, until
 * 50 kills have been survived.
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
} from './helpers.js';

afterAll(cleanup);

const SEED = 0x5eed_2026;
const KILLS = 50;
const TASKS = ['01-alpha', '02-beta', '03-gamma'];
/** Kill moments: this many ms after claude-project was started (it needs ~150 ms to start). */
const KILL_AFTER_MS: [number, number] = [0, 2000];

interface Figures {
  kills: number;
  rounds: number;
  callsStarted: number;
  callsBilled: number;
  /** Kills that came before this run started any call, while a call was running, between calls. */
  killedWhen: { beforeAnyCall: number; duringACall: number; betweenCalls: number };
  orphansStopped: number;
  orphansNeedingSigkill: number;
  recoveredAttempts: number;
  sources: Record<string, number>;
  runsToCompletion: number;
  lost: TokenUsage;
  doubled: TokenUsage;
}

async function newRound(rng: () => number): Promise<Project> {
  // Enough distinct calls for every kill of a round and the resumes after them (the last repeats).
  const attempts: Attempt[] = [];
  for (let i = 1; i <= 160; i++) attempts.push(billingCall(rng, `c${i}`, rng() < 0.5 ? SONNET : OPUS, { chunkDelayMs: 8 }).attempt);
  const tasks: Record<string, string> = {};
  for (const t of TASKS) tasks[`tasks/${t}.md`] = `Task ${t}\n`;
  return Project.create({
    config: config([
      { name: 'plan', model: OPUS, prompt: 'PLAN {{taskName}}' },
      { name: 'implement', prompt: 'IMPLEMENT {{taskName}}', check: { command: 'test -n "{{taskName}}"' } },
    ]),
    tasks,
    scenario: { attempts },
  });
}

/** Asserts that the finished round's state holds exactly what the fake billed; adds to the figures. */
async function verifyRound(project: Project, figures: Figures): Promise<void> {
  const calls = await project.calls();
  const bills = await billedRecords(project);
  figures.callsStarted += calls.length;
  figures.callsBilled += new Set(bills.map((b) => b.call)).size;

  // every call: which task and step it was for, and what it billed
  const perCall = calls.map((c) => {
    const [verb, taskName] = c.stdin.split('\n')[0]!.split(' ');
    const step = verb === 'PLAN' ? 'plan' : 'implement';
    return { sessionId: sessionOf(c.argv)!, taskName: taskName!, step, usage: usageOfBills(bills.filter((b) => b.call === c.attempt)) };
  });
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
    orphansStopped: 0,
    orphansNeedingSigkill: 0,
    recoveredAttempts: 0,
    sources: {},
    runsToCompletion: 0,
    lost: emptyUsage(),
    doubled: emptyUsage(),
  };
  const started = Date.now();
  let project = await newRound(rng);
  while (figures.kills < KILLS) {
    const killAfter = randInt(rng, ...KILL_AFTER_MS);
    const callsBefore = (await project.calls()).length;
    const cli = project.start(['sequence', 'tasks']);
    const finished = await Promise.race([cli.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), killAfter))]);
    if (finished) {
      const run = await cli;
      // a resumed run must never be refused (a stale lock of a killed run) or fail
      expect({ exitCode: run.exitCode, stderr: run.stderr.split('\n').filter((l) => /claude-project:/.test(l)) }).toEqual({
        exitCode: 0,
        stderr: [],
      });
      figures.runsToCompletion++;
      await verifyRound(project, figures);
      figures.rounds++;
      project = await newRound(rng);
      continue;
    }
    cli.kill('SIGKILL');
    const killed = await cli;
    if (killed.signal !== 'SIGKILL') {
      // it finished in the same instant; treat it as a completed run
      expect(killed.exitCode).toBe(0);
      continue;
    }
    figures.kills++;
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
  // the last round: run to completion
  const last = await project.run(['sequence', 'tasks'], { timeoutMs: 60_000 });
  expect(last.exitCode).toBe(0);
  figures.runsToCompletion++;
  await verifyRound(project, figures);
  figures.rounds++;

  expect(figures.orphansNeedingSigkill).toBe(0);
  expect(figures.lost).toEqual(emptyUsage());
  expect(figures.doubled).toEqual(emptyUsage());
  expect(figures.recoveredAttempts).toBeGreaterThan(0);
  process.stdout.write(`kill test figures: ${JSON.stringify({ ...figures, seconds: (Date.now() - started) / 1000 })}\n`);
}, 240_000);
