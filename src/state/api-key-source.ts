import type { TaskState } from './task-state.js';

/**
 * Claude Code's `apiKeySource` values that mean the call was not billed to an API key: `none`
 * is a subscription (OAuth) login, or a cloud provider's credentials. Every other value
 * (`ANTHROPIC_API_KEY`, `apiKeyHelper`, `/login managed key`…) names a key that was billed.
 */
const NOT_BILLED_TO_A_KEY = new Set(['none']);

/**
 * True when Claude Code said the task's calls were not billed to an API key: at least one
 * attempt recorded its `apiKeySource` and none named a key. Its costs are then what the API
 * would have charged, not what was paid.
 */
export function notBilledToApiKey(task: TaskState): boolean {
  const sources = task.steps.flatMap((step) => step.attempts.flatMap((a) => (a.apiKeySource === undefined ? [] : [a.apiKeySource])));
  return sources.length > 0 && sources.every((source) => NOT_BILLED_TO_A_KEY.has(source));
}

/** The sources a task's attempts recorded, for the words that explain `not-billed`. */
export function apiKeySources(task: TaskState): string[] {
  return [...new Set(task.steps.flatMap((step) => step.attempts.flatMap((a) => (a.apiKeySource === undefined ? [] : [a.apiKeySource]))))];
}
