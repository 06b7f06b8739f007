import type { ProjectConfig } from '../config/types.js';
import type { Reporter } from './events.js';

export interface RunContext {
  config: ProjectConfig;
  report: Reporter;
  /** Aborted on SIGINT/SIGTERM/SIGHUP: the running claude is stopped and the step marked interrupted. */
  signal: AbortSignal;
  /** Aborted on a second such signal: claude and the check are SIGKILLed at once, the attempt still recorded interrupted. */
  stopNow: AbortSignal;
  /** The environment claude and checks run with (also where the session transcript is looked for). */
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}
