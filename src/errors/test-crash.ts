/** The stages of a step at which a test may inject a crash. */
export const CRASH_STAGES = ['spawn', 'stream', 'check', 'state-write', 'footer'] as const;
export type CrashStage = (typeof CRASH_STAGES)[number];

/** Test-only: names the stage at which `crashPointForTests` throws. Never set it in real use. */
export const TEST_CRASH_ENV = 'CLAUDE_PROJECT_TEST_CRASH';

let fired = false;

/**
 * TEST ONLY. Throws, once per process, when the environment variable CLAUDE_PROJECT_TEST_CRASH
 * names `stage`, so that tests can prove what an unexpected error at that point of a step leaves
 * behind (claude stopped, state failed, footer written). Unset, it does nothing.
 */
export function crashPointForTests(stage: CrashStage): void {
  if (fired || process.env[TEST_CRASH_ENV] !== stage) return;
  fired = true;
  throw new Error(`crash injected for a test at stage "${stage}"`);
}
