import type { LoadedStates } from '../../state/load-states.js';
import type { TaskState } from '../../state/task-state.js';
import { sumModelUsage } from '../../usage/math.js';
import type { ModelTokenUsage } from '../../usage/types.js';
import type { AdminClient } from '../client/admin-client.js';
import { compareWithBill, decideStatus } from '../compare/decide.js';
import type { BilledCounts, BillingStatus, BillingWindow, ComparedCounts, UsageBucket } from '../types.js';
import { fetchUsageBuckets } from '../usage-report/fetch-usage.js';
import { sumBuckets } from '../usage-report/sum-buckets.js';
import { closeOverSharedMinutes, sharedMinutes, type WindowedTask } from '../window/shared-minutes.js';
import { taskWindow, unionWindow } from '../window/window.js';

/** Recorded against billed over one window, with the verdict. */
export interface GroupCheck {
  status: 'verified' | 'mismatch' | 'pending';
  window: BillingWindow;
  /** The tasks whose usage is recorded here: those asked for and any sharing their minutes. */
  taskPaths: string[];
  recorded: ModelTokenUsage;
  billed: Record<string, BilledCounts>;
  difference: Record<string, ComparedCounts>;
}

export interface TaskCheck {
  taskPath: string;
  stateFile: string;
  status: BillingStatus;
  window: BillingWindow;
  recorded: ModelTokenUsage;
  billed: Record<string, BilledCounts>;
  difference: Record<string, ComparedCounts>;
  sharedWith: string[];
}

export interface BillingCheck {
  checkedAt: string;
  apiKeyId: string;
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

/**
 * One check of the tasks asked for against the minute buckets billed to `apiKeyId`: the
 * group's verdict, each task's (its own minutes only; otherwise `shared-window`), and the
 * sequence's. `known`: every task state, to see which share minutes.
 */
export async function checkBilling(
  client: AdminClient,
  apiKeyId: string,
  asked: LoadedStates,
  known: LoadedStates,
  options: { now: number; settleMinutes: number },
): Promise<BillingCheck> {
  const askedTasks = ranTasks(asked, options.now);
  const knownTasks = ranTasks(known, options.now);
  for (const task of askedTasks) if (!knownTasks.some((k) => k.taskPath === task.taskPath)) knownTasks.push(task);
  const group = closeOverSharedMinutes(askedTasks, knownTasks) as RanTask[];
  const window = unionWindow(group.map((t) => t.window))!;
  const buckets = await fetchUsageBuckets(client, window, apiKeyId);

  const checkGroup = (members: RanTask[]): GroupCheck => {
    const groupWindow = unionWindow(members.map((t) => t.window))!;
    const recorded = sumModelUsage(...members.map((t) => t.state.tokenUsage));
    const billed = sumBuckets(buckets, groupWindow);
    const comparison = compareWithBill(recorded, billed);
    return {
      status: decideStatus(comparison, groupWindow.end, options.now, options.settleMinutes),
      window: groupWindow,
      taskPaths: members.map((t) => t.taskPath),
      recorded,
      billed,
      difference: comparison.difference,
    };
  };

  const shared = sharedMinutes(askedTasks, knownTasks);
  const tasks = askedTasks.map((task): TaskCheck => {
    const own = checkGroup([task]);
    const sharedWith = shared.get(task.taskPath) ?? [];
    return {
      taskPath: task.taskPath,
      stateFile: task.stateFile,
      status: sharedWith.length > 0 ? 'shared-window' : own.status,
      window: own.window,
      recorded: own.recorded,
      billed: own.billed,
      difference: own.difference,
      sharedWith,
    };
  });
  let sequence: GroupCheck | undefined;
  if (asked.sequence) {
    const inSequence = new Set(asked.sequence.taskPaths);
    const members = askedTasks.filter((t) => inSequence.has(t.taskPath));
    if (members.length > 0) sequence = checkGroup(closeOverSharedMinutes(members, knownTasks) as RanTask[]);
  }
  return { checkedAt: new Date(options.now).toISOString(), apiKeyId, overall: checkGroup(group), tasks, sequence, buckets };
}
