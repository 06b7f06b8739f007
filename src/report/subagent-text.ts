import { formatCost } from '../format/format-usage.js';
import type { TaskData } from './status-data.js';

/**
 * Under a task's steps, one line per attempt that ran subagents: each subagent call (its type,
 * the Task tool use it served, its models and cost), then the main thread's cost.
 */
export function subagentLines(task: TaskData, indent = '  '): string[] {
  return task.steps.flatMap((step) =>
    step.attempts
      .filter((attempt) => attempt.subagents.length > 0)
      .map((attempt) => {
        const calls = attempt.subagents.map(
          (s) =>
            `${s.subagentType ?? 'subagent'} (${s.toolUseId ?? s.agentId}) ${s.models.map((m) => m.model).join(', ')} ${formatCost(s.total.costUsd)}`,
        );
        const main = attempt.mainThread
          ? formatCost(attempt.mainThread.total.costUsd)
          : 'unknown (the subagents show more than was billed)';
        return `${indent}${step.name} attempt ${attempt.attempt}: ${calls.join('; ')} · main thread ${main}`;
      }),
  );
}
