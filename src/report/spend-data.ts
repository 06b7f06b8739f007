import type { z } from 'zod';
import { costPerPassedTask, WASTE_REASONS, type SpendPart, type SpendSplit, type WasteReason } from '../state/spend-split.js';
import { formatCost } from '../format/format-usage.js';
import type { CostPerPassedTaskSchema, SpendDataSchema } from './output-schemas.js';
import { summarizeUsage } from './usage-summary.js';

export type SpendData = z.infer<typeof SpendDataSchema>;
export type CostPerPassedTaskData = z.infer<typeof CostPerPassedTaskSchema>;

/** How a number of wasted attempts reads, by reason: "2 failed checks", "1 usage-limit stop". */
const REASON_WORDS: Record<WasteReason, [one: string, many: string]> = {
  'check-failed': ['failed check', 'failed checks'],
  error: ['error', 'errors'],
  timeout: ['timeout', 'timeouts'],
  'rate-limited': ['usage-limit stop', 'usage-limit stops'],
  budget: ['budget stop', 'budget stops'],
  interrupted: ['interrupted attempt', 'interrupted attempts'],
};

export const reasonWords = (reason: WasteReason, attempts: number): string => `${attempts} ${REASON_WORDS[reason][attempts === 1 ? 0 : 1]}`;

const attemptsWord = (n: number): string => `${n} attempt${n === 1 ? '' : 's'}`;

function joinWords(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

const totalCost = (split: SpendSplit): number | null => {
  const costs = [split.useful.costUsd, split.waste.costUsd, split.running.costUsd];
  return costs.includes(null) ? null : costs.reduce<number>((a, b) => a + (b ?? 0), 0);
};

/**
 * The split in one sentence: "3 attempts; 2 failed checks cost $0.4100 of $0.6300". Several
 * reasons say each one's cost; an unknown cost says `unknown`, never $0.
 */
export function spendSentence(split: SpendSplit): string {
  const attempts = split.useful.attempts + split.waste.attempts + split.running.attempts;
  if (attempts === 0) return 'no attempt yet';
  const reasons = WASTE_REASONS.filter((r) => split.byReason[r].attempts > 0);
  const of = formatCost(totalCost(split));
  const running = split.running.attempts > 0 ? `; ${split.running.attempts} still running` : '';
  if (reasons.length === 0) return `${attemptsWord(attempts)}; nothing wasted (${of} useful)${running}`;
  const what =
    reasons.length === 1
      ? reasonWords(reasons[0]!, split.waste.attempts)
      : joinWords(reasons.map((r) => `${reasonWords(r, split.byReason[r].attempts)} (${formatCost(split.byReason[r].costUsd)})`));
  return `${attemptsWord(attempts)}; ${what} cost ${formatCost(split.waste.costUsd)} of ${of}${running}`;
}

const partData = (part: SpendPart) => ({ attempts: part.attempts, ...summarizeUsage(part.usage) });

export function spendData(split: SpendSplit): SpendData {
  return {
    useful: partData(split.useful),
    waste: partData(split.waste),
    byReason: WASTE_REASONS.filter((r) => split.byReason[r].attempts > 0).map((reason) => ({
      reason,
      ...partData(split.byReason[reason]),
    })),
    running: partData(split.running),
    sentence: spendSentence(split),
  };
}

export function costPerPassedTaskData(spentUsd: number | null, tasksDone: number): CostPerPassedTaskData {
  const usd = costPerPassedTask(spentUsd, tasksDone);
  return { usd: usd ?? null, status: usd === undefined ? 'no-task-done' : usd === null ? 'unknown' : 'known', spentUsd, tasksDone };
}

/** "$0.3150 per passed task ($0.6300 over 2 done)", or why there is none. */
export function costPerPassedTaskText(data: CostPerPassedTaskData): string {
  if (data.status === 'no-task-done') return `cost per passed task: none yet (no task done, ${formatCost(data.spentUsd)} spent)`;
  if (data.status === 'unknown') return `cost per passed task: unknown (a price is unknown; ${data.tasksDone} done)`;
  const done = `${formatCost(data.spentUsd)} over ${data.tasksDone} done`;
  return `cost per passed task: ${formatCost(data.usd)} (${done})`;
}
