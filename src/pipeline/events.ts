import type { AttemptOutcome, TaskPhase } from '../state/task-state.js';
import type { ModelTokenUsage, UsageSource } from '../usage/types.js';

/** What the pipeline tells whoever is watching (terminal progress, --json). */
export type PipelineEvent =
  | { type: 'task-start'; taskName: string; taskPath: string; stepCount: number }
  | { type: 'task-skip'; taskName: string; reason: string }
  | { type: 'step-skip'; taskName: string; step: string; reason: string }
  | { type: 'attempt-start'; taskName: string; step: string; attempt: number; model: string; logPath: string }
  | { type: 'attempt-usage'; taskName: string; step: string; attempt: number; usage: ModelTokenUsage }
  | {
      type: 'attempt-end';
      taskName: string;
      step: string;
      attempt: number;
      outcome: AttemptOutcome;
      usage: ModelTokenUsage;
      usageSource: UsageSource;
      durationMs: number;
      detail?: string;
    }
  /** An attempt a killed claude-project never finished recording, accounted from its logs by the next run. */
  | {
      type: 'attempt-recovered';
      taskName: string;
      step: string;
      attempt: number;
      outcome: AttemptOutcome;
      usage: ModelTokenUsage;
      usageSource: UsageSource;
    }
  | { type: 'usage-limit-wait'; taskName: string; step: string; resetsAtMs: number; remainingMs: number }
  | { type: 'task-end'; taskName: string; phase: TaskPhase; tokenUsage: ModelTokenUsage; error?: string };

export type Reporter = (event: PipelineEvent) => void;
