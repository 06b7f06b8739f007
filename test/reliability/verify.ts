/**
 * The state folder against what the fake claude billed: every call (known by the session id
 * claude-project gave it) must be exactly one attempt of the task and step its prompt names, with
 * exactly the usage billed for it; steps, tasks and the sequence are the sums. Expected numbers
 * come from the fake's records (calls.jsonl, billed.jsonl), never from the code under test.
 *
 * Prompts must start with `<STEP> <taskName>`, the step name in capitals (e.g. `PLAN {{taskName}}`).
 */
import path from 'node:path';
import {
  billedRecords,
  emptyUsage,
  expectUsage,
  parseAllStates,
  sessionOf,
  sumUsage,
  totalOf,
  usageOfBills,
  type ModelTokenUsage,
  type Project,
  type TokenUsage,
  knownCost,
} from './helpers.js';

export interface Accounting {
  calls: number;
  billed: ModelTokenUsage;
  counted: ModelTokenUsage;
  /** Billed but not counted, and counted but not billed, over all models (must both be zero). */
  lost: TokenUsage;
  doubled: TokenUsage;
}

interface AttemptLike {
  sessionId?: string;
  usage: ModelTokenUsage;
}

export async function expectStatesMatchBilled(project: Project, taskNames: string[]): Promise<Accounting> {
  const calls = await project.calls();
  const bills = await billedRecords(project);
  // which task and step a call served: from its environment, which a kill cannot cut (a prompt can be)
  const perCall = calls.map((c) => ({
    sessionId: sessionOf(c.argv)!,
    taskName: path.basename(c.task!, '.md'),
    step: c.step!,
    usage: usageOfBills(bills.filter((b) => b.call === c.attempt)),
  }));
  // every call had its own session, and every bill belongs to a recorded call
  expect(new Set(perCall.map((c) => c.sessionId)).size).toBe(calls.length);
  expect(bills.filter((b) => !calls.some((c) => c.attempt === b.call))).toEqual([]);

  const states = await parseAllStates(project.stateDir);
  let counted: ModelTokenUsage = {};
  for (const taskName of taskNames) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const state = states[path.basename(project.taskStateFile(taskName))] as any;
    expect({ taskName, phase: state?.phase }).toEqual({ taskName, phase: 'done' });
    const mine = perCall.filter((c) => c.taskName === taskName);
    for (const step of state.steps as Array<{ name: string; usage: ModelTokenUsage; attempts: AttemptLike[] }>) {
      for (const attempt of step.attempts) {
        const call = mine.find((c) => c.sessionId === attempt.sessionId && c.step === step.name);
        expectUsage(attempt.usage, call ? call.usage : {});
      }
      const sessions = step.attempts.map((a) => a.sessionId);
      const stepCalls = mine.filter((c) => c.step === step.name);
      for (const call of stepCalls)
        expect({ call: call.sessionId, times: sessions.filter((s) => s === call.sessionId).length }).toEqual({
          call: call.sessionId,
          times: 1,
        });
      expectUsage(step.usage, sumUsage(...stepCalls.map((c) => c.usage)));
    }
    expectUsage(state.tokenUsage, sumUsage(...mine.map((c) => c.usage)));
    counted = sumUsage(counted, state.tokenUsage);
  }
  // no call is left unaccounted: each one's task is one of ours
  expect(perCall.filter((c) => !taskNames.includes(c.taskName))).toEqual([]);

  const billed = usageOfBills(bills);
  const b = totalOf(billed);
  const c = totalOf(counted);
  const lost = emptyUsage();
  const doubled = emptyUsage();
  for (const field of ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens', 'costUsd'] as const) {
    const difference =
      field === 'costUsd' && Math.abs(knownCost(b[field]) - knownCost(c[field])) < 1e-9 ? 0 : knownCost(b[field]) - knownCost(c[field]);
    lost[field] = Math.max(0, difference);
    doubled[field] = Math.max(0, -difference);
  }
  expectUsage(counted, billed);
  return { calls: calls.length, billed, counted, lost, doubled };
}
