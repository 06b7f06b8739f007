import type { ClaudeCallEnd } from '../claude/run-claude.js';

/**
 * Why an attempt's claude call ended, one value decided once, where the facts are (see
 * `callEndReason`); the attempt's outcome and error follow from it alone.
 */
export type CallEndReason =
  | { reason: 'budget' }
  | { reason: 'interrupted' }
  | { reason: 'timeout' }
  | { reason: 'rate-limited' }
  | { reason: 'claude-failed'; detail: string }
  | { reason: 'succeeded' };

export interface CallFacts {
  end: ClaudeCallEnd;
  /** A budget cap ended the call (claude's --max-budget-usd, or our watch stopped it). */
  budgetStopped: boolean;
  /** The run is being interrupted (SIGINT/SIGTERM). */
  interrupted: boolean;
  resultArrived: boolean;
  /** The result said is_error. */
  resultIsError: boolean;
  /** A usage-limit event was seen. */
  usageLimited: boolean;
}

/**
 * A budget stop counts as such unless the run is being interrupted; then the way the process
 * ended; a process that exited is judged by its exit code and its result, a usage limit first.
 */
export function callEndReason(facts: CallFacts): CallEndReason {
  const { end } = facts;
  if (facts.budgetStopped && !facts.interrupted) return { reason: 'budget' };
  switch (end.ended.by) {
    case 'stopped':
      return { reason: 'interrupted' };
    case 'timeout':
      return { reason: 'timeout' };
    case 'spawn-error':
      return { reason: 'claude-failed', detail: end.ended.message };
    case 'lingered':
    case 'exit':
      break;
  }
  // claude stopped for lingering after its result ended by our signal: its result says how the call went
  const exitedBadly = end.ended.by === 'exit' && end.exitCode !== 0;
  const failed = exitedBadly || facts.resultIsError || !facts.resultArrived;
  if (!failed) return { reason: 'succeeded' };
  if (facts.usageLimited) return { reason: 'rate-limited' };
  if (exitedBadly) {
    const why = `claude exited with ${end.signal ?? `code ${end.exitCode}`}`;
    return { reason: 'claude-failed', detail: facts.resultArrived ? why : `${why}, without a result` };
  }
  return { reason: 'claude-failed', detail: facts.resultArrived ? 'claude reported an error result' : 'claude ended without a result' };
}
