import type { ProjectConfig } from '../config/types.js';
import { stepLogBase } from '../state/paths.js';
import type { TaskStore } from '../state/task-store.js';
import type { TaskState } from '../state/task-state.js';
import { rollUp } from '../state/roll-up.js';
import { PriceTable } from '../usage/pricing.js';
import { compareUsage, type UsageDifference } from '../usage/compare.js';
import type { ModelTokenUsage, UsageSource } from '../usage/types.js';
import type { CallUsage } from '../usage/call-usage.js';
import { readRawLog, type RawLogAttempt } from './raw-log-reader.js';

export { compareUsage, type UsageDifference } from '../usage/compare.js';

/** How exact a source is, for recount: a rebuilt number never replaces one from a better source. */
const EXACTNESS: Record<UsageSource, number> = { result: 3, transcript: 2, estimate: 1, none: 1 };

export function lessExact(rebuilt: UsageSource, recorded: UsageSource): boolean {
  return EXACTNESS[rebuilt] < EXACTNESS[recorded];
}

export interface TaskRecount {
  taskPath: string;
  attemptsChecked: number;
  /** Attempts in the state with no section in the raw log (their logs were removed, say), and that log. */
  missingFromLog: Array<{ step: string; attempt: number; log: string }>;
  /** Attempts not finished: running now, or cut off (the next run recovers them). Not recounted. */
  unfinished: Array<{ step: string; attempt: number }>;
  differences: UsageDifference[];
  /** Attempts whose rebuilt numbers may be written: from a source at least as exact as the state's. */
  rebuilt: Map<string, { usage: ModelTokenUsage; source: UsageSource }>;
  /** The task's total as rebuilt (attempts without a raw log, or kept, keep their recorded usage). */
  total: ModelTokenUsage;
}

const attemptKey = (step: string, attempt: number): string => `${step}/${attempt}`;

/** Rebuilds every attempt's usage of a task from its raw step logs and compares it with the state. */
export async function recountTask(config: ProjectConfig, env: NodeJS.ProcessEnv, fileName: string, state: TaskState): Promise<TaskRecount> {
  const result: TaskRecount = {
    taskPath: state.taskPath,
    attemptsChecked: 0,
    missingFromLog: [],
    unfinished: [],
    differences: [],
    rebuilt: new Map(),
    total: {},
  };
  const stepTotals: ModelTokenUsage[] = [];
  const prices = PriceTable.withOverrides(config.pricing);
  for (const step of state.steps) {
    const index = config.pipeline.findIndex((p) => p.name === step.name);
    const log = index === -1 ? undefined : `${stepLogBase(config.logsPath, fileName, index, step.name)}.jsonl`;
    const markers = log === undefined ? [] : await readRawLog(log, prices).catch(() => []);
    for (const attempt of step.attempts) {
      if (attempt.outcome === 'unfinished') {
        result.unfinished.push({ step: step.name, attempt: attempt.attempt });
        continue;
      }
      const entry = markers.find((j) => j.attempt === attempt.attempt);
      if (!entry) {
        result.missingFromLog.push({
          step: step.name,
          attempt: attempt.attempt,
          log: log ?? `(step ${step.name} is no longer in the pipeline)`,
        });
        continue;
      }
      result.attemptsChecked++;
      const rebuilt = await rawLogUsage(config, env, entry);
      const differences = compareUsage(`${step.name} attempt ${attempt.attempt}`, attempt.usage, rebuilt.usage);
      if (differences.length > 0 && lessExact(rebuilt.source, attempt.usageSource)) {
        const kept = { stateSource: attempt.usageSource, logSource: rebuilt.source };
        result.differences.push(...differences.map((d) => ({ ...d, kept })));
        continue;
      }
      result.rebuilt.set(attemptKey(step.name, attempt.attempt), rebuilt);
      result.differences.push(...differences);
    }
    // totals are derived numbers, but a state file can still hold wrong ones
    const stepTotal = rollUp(step.attempts.map((a) => result.rebuilt.get(attemptKey(step.name, a.attempt))?.usage ?? a.usage)).tokenUsage;
    result.differences.push(...compareUsage(`${step.name} total`, step.usage, stepTotal));
    stepTotals.push(stepTotal);
  }
  result.total = rollUp(stepTotals).tokenUsage;
  result.differences.push(...compareUsage('task total', state.tokenUsage, result.total));
  return result;
}

/** An attempt's usage from its log section alone (plus the session transcript where it was used). */
export async function rawLogUsage(config: ProjectConfig, env: NodeJS.ProcessEnv, entry: RawLogAttempt): Promise<CallUsage> {
  if (entry.end?.transcriptUsage) return { usage: entry.end.transcriptUsage, source: 'transcript' };
  return entry.observed.settle(env, config.rootDir, entry.end?.cacheWrites1h);
}

/** Writes the rebuilt numbers into the task state (totals follow from the attempts). */
export async function applyRecount(store: TaskStore, recount: TaskRecount): Promise<TaskState> {
  return store.update((task) => ({
    ...task,
    steps: task.steps.map((step) => ({
      ...step,
      attempts: step.attempts.map((a) => {
        const rebuilt = recount.rebuilt.get(attemptKey(step.name, a.attempt));
        return rebuilt ? { ...a, usage: rebuilt.usage, usageSource: rebuilt.source } : a;
      }),
    })),
  }));
}
