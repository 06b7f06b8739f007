import { stepLogBase } from '../state/paths.js';
import type { CallUsage } from '../usage/call-usage.js';
import type { TaskStore } from '../state/task-store.js';
import type { AttemptState } from '../state/task-state.js';
import type { RunContext } from './run-context.js';
import { readRawLog } from './raw-log-reader.js';
import { CallObserver } from './call-observer.js';
import { rawLogUsage } from './recount.js';
import { stopOrphanClaude } from './stop-orphan.js';
import { appendMarker } from './step-log.js';
import { PriceTable } from '../usage/pricing.js';

/**
 * Attempts that a killed claude-project never finished recording (state says "unfinished") are
 * accounted from their raw log: the result if it arrived, else Claude Code's session transcript,
 * else the stream estimate. What was found is marked in the raw log (an `attempt_end` marker,
 * as an interrupted run writes), so the raw log alone rebuilds it later even when the transcript
 * is gone. The attempt is then marked interrupted, so its step runs again.
 */
export async function recoverUnfinishedAttempts(ctx: RunContext, store: TaskStore, fileName: string, taskName: string): Promise<number> {
  const state = await store.read();
  const unfinished = state?.steps.filter((s) => s.attempts.some((a) => a.outcome === 'unfinished')) ?? [];
  if (unfinished.length === 0) return 0;
  // Their claude may still be running, writing into the raw log: stop it before reading.
  for (const step of unfinished) {
    for (const attempt of step.attempts) if (attempt.outcome === 'unfinished') await stopOrphanClaude(attempt.pid, attempt.sessionId);
  }
  const recovered = new Map<string, AttemptState>();
  const prices = PriceTable.withOverrides(ctx.config.pricing);
  for (const step of unfinished) {
    const index = ctx.config.pipeline.findIndex((p) => p.name === step.name);
    const rawLog = index === -1 ? undefined : `${stepLogBase(ctx.config.logsPath, fileName, index, step.name)}.jsonl`;
    const markers = rawLog === undefined ? [] : await readRawLog(rawLog, prices).catch(() => []);
    for (const attempt of step.attempts.filter((a) => a.outcome === 'unfinished')) {
      const entry = markers.find((j) => j.attempt === attempt.attempt);
      // No log section: the kill came before the call started, unless the state knows its session.
      const usage = entry
        ? await rawLogUsage(ctx.config, ctx.env, entry)
        : await new CallObserver(prices, attempt.sessionId).settle(ctx.env, ctx.config.rootDir);
      if (rawLog !== undefined) markRecovery(rawLog, attempt, entry !== undefined, usage);
      recovered.set(`${step.name}/${attempt.attempt}`, {
        ...attempt,
        outcome: 'interrupted',
        error: 'claude-project stopped before this attempt ended; usage recovered from its log',
        usage: usage.usage,
        usageSource: usage.source,
        malformedLines: entry?.malformedLines ?? 0,
        ...(entry?.observed.sessionId !== undefined && { sessionId: entry.observed.sessionId }),
        ...(entry?.observed.apiKeySource !== undefined && { apiKeySource: entry.observed.apiKeySource }),
        pid: undefined,
      });
    }
  }
  await store.update((task) => ({
    ...task,
    steps: task.steps.map((step) => ({
      ...step,
      status: step.status === 'running' || step.status === 'waiting-rate-limit' ? 'interrupted' : step.status,
      attempts: step.attempts.map((a) => recovered.get(`${step.name}/${a.attempt}`) ?? a),
    })),
  }));
  for (const [key, attempt] of recovered) {
    const step = key.slice(0, key.lastIndexOf('/'));
    ctx.report({
      type: 'attempt-recovered',
      taskName,
      step,
      attempt: attempt.attempt,
      outcome: attempt.outcome,
      usage: attempt.usage,
      usageSource: attempt.usageSource,
    });
  }
  return recovered.size;
}

/** The raw log's record of a recovered attempt: its end marker (and its start, if the log had none). */
function markRecovery(rawLog: string, attempt: AttemptState, hasSection: boolean, usage: CallUsage): void {
  try {
    if (!hasSection)
      appendMarker(rawLog, {
        event: 'attempt_start',
        attempt: attempt.attempt,
        model: attempt.model,
        startedAt: attempt.startedAt,
        sessionId: attempt.sessionId,
        recovered: true,
      });
    appendMarker(rawLog, {
      event: 'attempt_end',
      attempt: attempt.attempt,
      outcome: 'interrupted',
      usageSource: usage.source,
      recovered: true,
      ...(usage.source === 'transcript' && { transcriptUsage: usage.usage }),
      ...(usage.cacheWrites1h && { cacheWrites1h: usage.cacheWrites1h }),
    });
  } catch {
    // no logs folder (removed by hand): the state still gets the recovered numbers
  }
}
