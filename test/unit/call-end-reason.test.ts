import type { ClaudeCallEnd, ProcessEnd } from '../../src/claude/run-claude.js';
import { callEndReason, type CallFacts } from '../../src/pipeline/call-end-reason.js';

const exited = (exitCode: number | undefined, signal?: string): ClaudeCallEnd => ({
  exitCode,
  signal,
  ended: { by: 'exit' },
  malformedLines: 0,
  stderrTail: '',
});
const endedBy = (ended: ProcessEnd): ClaudeCallEnd => ({ ...exited(undefined), ended });

const facts = (over: Partial<CallFacts>): CallFacts => ({
  end: exited(0),
  budgetStopped: false,
  interrupted: false,
  resultArrived: true,
  resultIsError: false,
  usageLimited: false,
  ...over,
});

describe('why an attempt ended: one value', () => {
  it.each<[string, Partial<CallFacts>, ReturnType<typeof callEndReason>]>([
    ['a clean exit with a result', {}, { reason: 'succeeded' }],
    [
      'a budget stop, even though our watch stopped the process',
      { budgetStopped: true, end: endedBy({ by: 'stopped' }) },
      { reason: 'budget' },
    ],
    [
      'a budget stop while the run is interrupted',
      { budgetStopped: true, interrupted: true, end: endedBy({ by: 'stopped' }) },
      { reason: 'interrupted' },
    ],
    ['stopped through its signal', { end: endedBy({ by: 'stopped' }), interrupted: true }, { reason: 'interrupted' }],
    ['its timeout', { end: endedBy({ by: 'timeout' }) }, { reason: 'timeout' }],
    [
      'stopped for lingering after a good result: the result decides',
      { end: { ...exited(undefined, 'SIGTERM'), ended: { by: 'lingered' } } },
      { reason: 'succeeded' },
    ],
    [
      'stopped for lingering after an error result',
      { end: { ...exited(undefined, 'SIGTERM'), ended: { by: 'lingered' } }, resultIsError: true },
      { reason: 'claude-failed', detail: 'claude reported an error result' },
    ],
    [
      'never started',
      { end: endedBy({ by: 'spawn-error', message: 'spawn claude ENOENT' }) },
      { reason: 'claude-failed', detail: 'spawn claude ENOENT' },
    ],
    ['a usage limit with a failed exit', { end: exited(1), usageLimited: true }, { reason: 'rate-limited' }],
    ['a usage limit event on a call that succeeded', { usageLimited: true }, { reason: 'succeeded' }],
    ['a non-zero exit', { end: exited(2) }, { reason: 'claude-failed', detail: 'claude exited with code 2' }],
    [
      'killed by a signal, no result',
      { end: exited(undefined, 'SIGKILL'), resultArrived: false },
      { reason: 'claude-failed', detail: 'claude exited with SIGKILL, without a result' },
    ],
    ['an error result', { resultIsError: true }, { reason: 'claude-failed', detail: 'claude reported an error result' }],
    ['exit 0 with no result', { resultArrived: false }, { reason: 'claude-failed', detail: 'claude ended without a result' }],
  ])('%s', (_, over, reason) => {
    expect(callEndReason(facts(over))).toEqual(reason);
  });
});
