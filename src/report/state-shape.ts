/**
 * The shape `status` and `report` rely on, checked before they read a state file: a file that
 * parses as JSON but is not a state (truncated by hand, another program's file) is reported as
 * corrupt, with what is wrong, rather than failing deep inside a table.
 */
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const COUNTS = ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens'];

function usageProblem(usage: unknown, where: string): string | undefined {
  if (!isObject(usage)) return `${where} is not an object of usage per model`;
  for (const [model, counts] of Object.entries(usage)) {
    const bad = COUNTS.find((key) => !isObject(counts) || typeof counts[key] !== 'number');
    if (bad) return `${where}[${JSON.stringify(model)}].${bad} is not a number`;
    // null: the model has no price
    if (isObject(counts) && typeof counts.costUsd !== 'number' && counts.costUsd !== null) return `${where}[${JSON.stringify(model)}].costUsd is not a number or null`;
  }
  return undefined;
}

export function taskStateProblem(state: unknown): string | undefined {
  if (!isObject(state)) return 'not a task state: not an object';
  const text = ['taskPath', 'taskName', 'phase'].find((key) => typeof state[key] !== 'string');
  if (text) return `not a task state: ${text} is not a string`;
  if (!Array.isArray(state.steps)) return 'not a task state: steps is not a list';
  for (const [i, step] of state.steps.entries()) {
    if (!isObject(step) || typeof step.name !== 'string' || !Array.isArray(step.attempts)) return `not a task state: steps[${i}] has no name or attempts`;
    const usages: Array<[unknown, string]> = [
      ...step.attempts.map((a: unknown, j): [unknown, string] => [isObject(a) ? a.usage : undefined, `steps[${i}].attempts[${j}].usage`]),
      [step.usage, `steps[${i}].usage`],
    ];
    const problem = usages.map(([usage, where]) => usageProblem(usage, where)).find(Boolean);
    if (problem) return `not a task state: ${problem}`;
  }
  const problem = usageProblem(state.tokenUsage, 'tokenUsage');
  return problem && `not a task state: ${problem}`;
}

export function sequenceStateProblem(state: unknown): string | undefined {
  if (!isObject(state)) return 'not a sequence state: not an object';
  if (typeof state.tasksDir !== 'string' || typeof state.phase !== 'string') return 'not a sequence state: no tasksDir or phase';
  if (!Array.isArray(state.completedTasks) || !Array.isArray(state.failedTasks)) return 'not a sequence state: no completedTasks or failedTasks';
  if (!isObject(state.stats)) return 'not a sequence state: no stats';
  const problem = usageProblem(state.stats.totalTokenUsage, 'stats.totalTokenUsage');
  return problem && `not a sequence state: ${problem}`;
}
