import { apiKeySources, notBilledToApiKey } from '../../state/api-key-source.js';
import type { Cause } from '../../state/billing-record.js';
import type { LoadedStates } from '../../state/load-states.js';
import { rollUpTasks } from '../../state/roll-up.js';
import type { TaskState } from '../../state/task-state.js';
import type { ModelTokenUsage } from '../../usage/types.js';
import type { AdminClient } from '../admin-api/client.js';
import { canonicalBilled, canonicalRecorded, type SeenAs } from './canonical.js';
import { findCauses } from './causes.js';
import { compareWithBill, decideStatus } from './decide.js';
import type { BilledCounts, BillingStatus, BillingWindow, ComparedCounts, UsageBucket } from '../types.js';
import { fetchUsageBuckets } from '../admin-api/usage-report.js';
import { sumBuckets } from '../admin-api/sum-usage-buckets.js';
import { closeOverSharedMinutes, sharedMinutes, type WindowedTask } from './shared-minutes.js';
import { taskWindow, unionWindow } from './window.js';

/** Recorded against billed over one window, with the verdict. */
export interface GroupCheck {
  status: 'verified' | 'mismatch' | 'pending' | 'not-billed';
  window: BillingWindow;
  /** The tasks whose usage is recorded here: those asked for and any sharing their minutes. */
  taskPaths: string[];
  /** Keyed by one name per model (canonicalModel); `seenAs` keeps the names the sources used. */
  recorded: ModelTokenUsage;
  billed: Record<string, BilledCounts>;
  difference: Record<string, ComparedCounts>;
  seenAs: SeenAs;
  causes: Cause[];
  /** For not-billed: what Claude Code said the calls were billed to. */
  apiKeySources: string[];
}

export interface TaskCheck extends Omit<GroupCheck, 'status' | 'taskPaths'> {
  taskPath: string;
  stateFile: string;
  status: BillingStatus;
  sharedWith: string[];
}

export interface BillingCheck {
  checkedAt: string;
  /** Undefined when every task asked for was not billed to an API key (nothing was read). */
  apiKeyId: string | undefined;
  overall: GroupCheck;
  tasks: TaskCheck[];
  /** The sequence's own check, when the tasks asked for are a sequence's. */
  sequence: GroupCheck | undefined;
  buckets: UsageBucket[];
}

interface RanTask extends WindowedTask {
  stateFile: string;
  state: TaskState;
}

function ranTasks(loaded: LoadedStates, now: number): RanTask[] {
  return loaded.tasks.flatMap((task) => {
    const window = task.state && taskWindow(task.state, now);
    return task.state && window ? [{ taskPath: task.state.taskPath, stateFile: task.stateFile, state: task.state, window }] : [];
  });
}

/** How many of the tasks asked for have run (0: there is nothing to check against the bill). */
export function tasksToCheck(asked: LoadedStates, now: number): number {
  return ranTasks(asked, now).length;
}

/** True when every task asked for that has run was, by Claude Code's word, not billed to an API key. */
export function noneBilledToApiKey(asked: LoadedStates, now: number): boolean {
  const ran = ranTasks(asked, now);
  return ran.length > 0 && ran.every((t) => notBilledToApiKey(t.state));
}

function notBilledGroup(members: RanTask[]): GroupCheck {
  const seenAs: SeenAs = {};
  return {
    status: 'not-billed',
    window: unionWindow(members.map((t) => t.window))!,
    taskPaths: members.map((t) => t.taskPath),
    recorded: canonicalRecorded(rollUpTasks(members.map((t) => t.state)).tokenUsage, seenAs),
    billed: {},
    difference: {},
    seenAs,
    causes: [],
    apiKeySources: [...new Set(members.flatMap((t) => apiKeySources(t.state)))],
  };
}

function notBilledTask(task: RanTask): TaskCheck {
  const { status: _status, taskPaths: _paths, ...group } = notBilledGroup([task]);
  return { ...group, taskPath: task.taskPath, stateFile: task.stateFile, status: 'not-billed', sharedWith: [] };
}

/**
 * One check of the tasks asked for against the minute buckets billed to `apiKeyId`: the
 * group's verdict, each task's (its own minutes only; otherwise `shared-window`), and the
 * sequence's. `known`: every task state, to see which share minutes. Tasks Claude Code said
 * were not billed to an API key are `not-billed` and left out of every comparison.
 */
export async function checkBilling(
  client: AdminClient,
  apiKeyId: string,
  asked: LoadedStates,
  known: LoadedStates,
  options: { now: number; settleMinutes: number },
): Promise<BillingCheck> {
  const askedRan = ranTasks(asked, options.now);
  const unbilled = askedRan.filter((t) => notBilledToApiKey(t.state));
  const askedTasks = askedRan.filter((t) => !notBilledToApiKey(t.state));
  const knownTasks = ranTasks(known, options.now).filter((t) => !notBilledToApiKey(t.state));
  for (const task of askedTasks) if (!knownTasks.some((k) => k.taskPath === task.taskPath)) knownTasks.push(task);
  const group = closeOverSharedMinutes(askedTasks, knownTasks) as RanTask[];
  const window = unionWindow(group.map((t) => t.window));
  const buckets = window ? await fetchUsageBuckets(client, window, apiKeyId) : [];

  const checkGroup = (members: RanTask[]): GroupCheck => {
    const groupWindow = unionWindow(members.map((t) => t.window))!;
    const seenAs: SeenAs = {};
    const recorded = canonicalRecorded(rollUpTasks(members.map((t) => t.state)).tokenUsage, seenAs);
    const billed = canonicalBilled(sumBuckets(buckets, groupWindow), seenAs);
    const comparison = compareWithBill(recorded, billed);
    const models = [...new Set([...Object.keys(recorded), ...Object.keys(billed)])].sort();
    return {
      status: decideStatus(comparison, groupWindow.end, options.now, options.settleMinutes),
      window: groupWindow,
      taskPaths: members.map((t) => t.taskPath),
      recorded,
      billed,
      difference: comparison.difference,
      seenAs,
      causes: findCauses({
        models: models.map((model) => ({ model, recorded: recorded[model], billed: billed[model] })),
        windowEnd: groupWindow.end,
        now: options.now,
        settleMinutes: options.settleMinutes,
      }),
      apiKeySources: [],
    };
  };

  const shared = sharedMinutes(askedTasks, knownTasks);
  const tasks = askedRan.map((task): TaskCheck => {
    if (notBilledToApiKey(task.state)) return notBilledTask(task);
    const { status, taskPaths: _paths, ...own } = checkGroup([task]);
    const sharedWith = shared.get(task.taskPath) ?? [];
    return {
      ...own,
      taskPath: task.taskPath,
      stateFile: task.stateFile,
      status: sharedWith.length > 0 ? 'shared-window' : status,
      sharedWith,
    };
  });
  let sequence: GroupCheck | undefined;
  if (asked.sequence) {
    const inSequence = new Set(asked.sequence.taskPaths);
    const members = askedTasks.filter((t) => inSequence.has(t.taskPath));
    const unbilledMembers = unbilled.filter((t) => inSequence.has(t.taskPath));
    if (members.length > 0) sequence = checkGroup(closeOverSharedMinutes(members, knownTasks) as RanTask[]);
    else if (unbilledMembers.length > 0) sequence = notBilledGroup(unbilledMembers);
  }
  return {
    checkedAt: new Date(options.now).toISOString(),
    apiKeyId,
    overall: group.length > 0 ? checkGroup(group) : notBilledGroup(unbilled),
    tasks,
    sequence,
    buckets,
  };
}

/** The check of tasks that were none of them billed to an API key: each is `not-billed`, nothing is read. */
export function notBilledCheck(asked: LoadedStates, now: number): BillingCheck {
  const ran = ranTasks(asked, now);
  const inSequence = new Set(asked.sequence?.taskPaths ?? []);
  const members = ran.filter((t) => inSequence.has(t.taskPath));
  return {
    checkedAt: new Date(now).toISOString(),
    apiKeyId: undefined,
    overall: notBilledGroup(ran),
    tasks: ran.map(notBilledTask),
    sequence: members.length > 0 ? notBilledGroup(members) : undefined,
    buckets: [],
  };
}
