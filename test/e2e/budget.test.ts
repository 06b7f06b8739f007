// End to end under a budget: the real Claude Code CLI against the fake Messages API. A sequence
// cap stops the third task inside its call; every billed token is still counted, and raising the
// cap finishes the sequence, still exact.
import { taskFileName } from '../integration/helpers.js';
import { countsOf, e2eProject, e2eScript, recordFigures, servedCounts, type Counts, type E2eProject } from './harness.js';

interface TaskState {
  phase: string;
  totalCostUsd: number;
  tokenUsage: Record<string, Counts & { costUsd: number }>;
  steps: Array<{ status: string; attempts: Array<{ outcome: string; usageSource: string }>; forecast: { usd: number | null } }>;
  budget?: { stop?: { scope: string; stage: string; capUsd: number; spentUsd: number } };
}
interface SequenceState {
  phase: string;
  stats: { totalTokenUsage: Record<string, Counts & { costUsd: number }>; totalCostUsd: number };
}

let project: E2eProject | undefined;
afterAll(async () => {
  await project?.close();
});

/**
 * Tasks 01 and 02 get a plain answer (one small request each, about $0.002); task 03's prompt
 * holds a command, so its first request is a tool call of about $0.014. A $0.008 sequence cap
 * lets task 03 start (spent about $0.004 + forecast $0.002) and is crossed by that first request.
 */
const CAP = 0.008;
const files = {
  'claude-project.yaml': `model: claude-sonnet-4-5\nclaude:\n  args: ["--allowedTools", "Bash,Read,Edit,Write"]\nbudget:\n  sequenceUsd: ${CAP}\npipeline:\n  - name: work\n    prompt: "{{taskContent}}"\n`,
  'tasks/01-small.md': 'Say hello.\n',
  'tasks/02-small.md': 'Say goodbye.\n',
  'tasks/03-big.md': 'Run this:\n$ echo big > out.txt\n',
};

/** Sonnet 4.x list price in USD per million tokens; the fake API reports every cache write as a 5-minute one. */
const SONNET_PRICE = { input: 3, output: 15 };
function listPrice(model: string, u: Counts): number {
  if (!model.startsWith('claude-sonnet-4')) throw new Error(`no list price for ${model} in this test`);
  const { input, output } = SONNET_PRICE;
  return (
    (u.inputTokens * input + u.outputTokens * output + u.cacheCreationInputTokens * input * 1.25 + u.cacheReadInputTokens * input * 0.1) /
    1_000_000
  );
}

const costOf = (usage: Record<string, Counts>): number =>
  Object.entries(usage).reduce((sum, [model, counts]) => sum + listPrice(model, counts), 0);

test('a three-task sequence under budget.sequenceUsd stops in its third task (exit 4), past the cap by at most one response; a higher --max-usd finishes it, exact', async () => {
  project = await e2eProject(files, e2eScript);
  const first = await project.run(['sequence', 'tasks']);
  expect(first.exitCode).toBe(4);
  const sequence = await project.readJson<SequenceState>('.claude-project/state/sequence.state.json');
  expect(sequence.phase).toBe('budget-exceeded');
  const third = await project.readJson<TaskState>(`.claude-project/state/${taskFileName('tasks/03-big.md')}.state.json`);
  expect(third.phase).toBe('budget-exceeded');
  expect(third.steps[0]!.status).toBe('budget-exceeded');
  expect(third.steps[0]!.attempts.map((a) => a.outcome)).toEqual(['budget']);
  expect(third.budget?.stop).toMatchObject({ scope: 'sequence', stage: 'in-call', capUsd: CAP });
  expect(third.steps[0]!.forecast.usd).not.toBeNull();

  // Every billed token counted.
  const served = servedCounts(project.api);
  expect(countsOf(sequence.stats.totalTokenUsage)).toEqual(served);
  // Past the cap by at most one response of the third task's call.
  const spent = costOf(served);
  const responses = project.api.requests.filter((r) => r.path === '/v1/messages' && r.completed);
  const largest = Math.max(...responses.map((r) => listPrice(r.model!, usageCounts(r.usage!))));
  const overshoot = spent - CAP;
  expect(overshoot).toBeGreaterThan(0);
  expect(overshoot).toBeLessThanOrEqual(largest);
  await recordFigures(
    `budget stop: cap ${CAP}, spent ${spent.toFixed(6)}, overshoot ${overshoot.toFixed(6)}`,
    served,
    countsOf(sequence.stats.totalTokenUsage),
  );

  const again = await project.run(['sequence', 'tasks', '--max-usd', '1']);
  expect(again.exitCode).toBe(0);
  const done = await project.readJson<SequenceState>('.claude-project/state/sequence.state.json');
  expect(done.phase).toBe('done');
  const servedAfter = servedCounts(project.api);
  expect(countsOf(done.stats.totalTokenUsage)).toEqual(servedAfter);
  const resumed = await project.readJson<TaskState>(`.claude-project/state/${taskFileName('tasks/03-big.md')}.state.json`);
  expect(resumed.phase).toBe('done');
  expect(resumed.steps[0]!.attempts.map((a) => a.outcome)).toEqual(['budget', 'passed']);
  await recordFigures('budget resumed with --max-usd 1', servedAfter, countsOf(done.stats.totalTokenUsage));
}, 600_000);

function usageCounts(u: {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}): Counts {
  return {
    inputTokens: u.input_tokens ?? 0,
    outputTokens: u.output_tokens ?? 0,
    cacheCreationInputTokens: u.cache_creation_input_tokens ?? 0,
    cacheReadInputTokens: u.cache_read_input_tokens ?? 0,
  };
}
