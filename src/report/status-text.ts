import type { StepState, TaskState } from '../state/task-state.js';
import { formatCost, formatCount, usageRows } from '../usage/rows.js';
import { sumModelUsage } from '../usage/math.js';
import { formatDuration } from './format-duration.js';
import type { LoadedStates } from './load-states.js';
import { alignColumns, usageTable } from './usage-table.js';

const STEP_HEADERS = ['step', 'status', 'attempts', 'source', 'duration', 'model', 'input', 'output', 'cache write', 'cache read', 'cost'];

function stepRows(step: StepState): string[][] {
  const info = [step.name, step.status, String(step.attempts.length), step.usageSource, step.durationMs !== undefined ? formatDuration(step.durationMs) : '-'];
  const blank = info.map(() => '');
  const models = usageRows(step.usage).filter((row) => !row.isTotal);
  if (models.length === 0) return [[...info, step.model, '0', '0', '0', '0', formatCost(0)]];
  return models.map((row, index) => [
    ...(index === 0 ? info : blank),
    row.label,
    formatCount(row.usage.inputTokens),
    formatCount(row.usage.outputTokens),
    formatCount(row.usage.cacheCreationInputTokens),
    formatCount(row.usage.cacheReadInputTokens),
    formatCost(row.usage.costUsd),
  ]);
}

function taskBlock(taskPath: string, state: TaskState | undefined): string {
  if (!state) return `${taskPath}: not run yet`;
  const lines = [`${state.taskName} (${state.taskPath}): ${state.phase}${state.error ? ` · ${state.error}` : ''} · ${formatCost(state.totalCostUsd)}`];
  if (state.steps.length > 0) lines.push(alignColumns([STEP_HEADERS, ...state.steps.flatMap(stepRows)], '  ', [0, 1, 3, 5]));
  if (state.malformedLines > 0) lines.push(`  malformed stream lines: ${state.malformedLines}`);
  return lines.join('\n');
}

/** The `status` command's text: each task's steps per model, then totals over what is shown. */
export function formatStatus(loaded: LoadedStates): string {
  if (loaded.tasks.length === 0) return 'No task state found: nothing has run yet.\n';
  const blocks = loaded.tasks.map((task) => taskBlock(task.taskPath, task.state));
  const total = sumModelUsage(...loaded.tasks.map((task) => task.state?.tokenUsage ?? {}));
  const sequence = loaded.sequence;
  const heading = sequence
    ? `Sequence ${sequence.tasksDir}: ${sequence.phase} · ${sequence.stats.tasksCompleted}/${sequence.stats.tasksTotal} done, ${sequence.stats.tasksFailed} failed`
    : `Total over ${loaded.tasks.length} task(s)`;
  return `${blocks.join('\n\n')}\n\n${heading}\n${usageTable(total, '  ')}\n`;
}
