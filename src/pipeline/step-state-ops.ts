import type { AttemptState, StepState, TaskState } from '../state/task-state.js';

/** Applies `change` to the named step, creating it (pending) if the state has none yet. */
export function updateStep(task: TaskState, name: string, model: string, change: (step: StepState) => StepState): TaskState {
  const existing = task.steps.find((s) => s.name === name);
  const step: StepState = existing ?? { name, status: 'pending', model, attempts: [], usage: {}, usageSource: 'result' };
  const updated = change(step);
  return {
    ...task,
    steps: existing ? task.steps.map((s) => (s.name === name ? updated : s)) : [...task.steps, updated],
  };
}

/** Replaces the attempt with the same number. */
export function updateAttempt(step: StepState, attempt: AttemptState): StepState {
  return { ...step, attempts: step.attempts.map((a) => (a.attempt === attempt.attempt ? attempt : a)) };
}
