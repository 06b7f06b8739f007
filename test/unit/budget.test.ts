import { resolveConfig } from '../../src/config/resolve.js';
import { ConfigSchema } from '../../src/config/schema.js';
import type { ProjectConfig } from '../../src/config/types.js';
import { capsForStep, checkStepModelsPriced, withMaxUsd } from '../../src/pipeline/budget/caps.js';
import { decideBeforeAttempt, maxBudgetArgument } from '../../src/pipeline/budget/decide.js';
import { forecastFromCosts, forecastStep, NO_FORECAST } from '../../src/pipeline/budget/forecast.js';
import type { Cap } from '../../src/state/budget-record.js';
import type { AttemptOutcome, TaskState } from '../../src/state/task-state.js';

/** A config as loading makes it, from the file's keys. */
function projectConfig(
  budget: Record<string, number>,
  pipeline: Record<string, unknown>[] = [{ name: 'work', prompt: 'Work' }],
  model = 'claude-sonnet-4-5',
): ProjectConfig {
  return resolveConfig(ConfigSchema.parse({ model, budget, pipeline }), { file: '/p/claude-project.yaml', rootDir: '/p', env: {} });
}

const taskCap: Cap = { scope: 'task', usd: 1, source: 'budget.taskUsd' };
const stepCap: Cap = { scope: 'step', usd: 0.5, source: 'budget.stepUsd', step: 'work' };

describe('decideBeforeAttempt', () => {
  it('goes with what is left under the tightest cap', () => {
    const decision = decideBeforeAttempt([taskCap, stepCap], { sequence: 0, task: 0.7, step: 0.1 }, NO_FORECAST, 'work');
    expect(decision).toEqual({ go: true, leftUsd: 0.3, tightest: taskCap });
  });

  it('refuses when spent plus the forecast would pass a cap, naming it', () => {
    const forecast = { usd: 0.25, maxUsd: 0.4, basis: 'earlier-attempts' as const, samples: 3 };
    const decision = decideBeforeAttempt([taskCap, stepCap], { sequence: 0, task: 0.2, step: 0.3 }, forecast, 'work');
    expect(decision).toEqual({
      go: false,
      stop: { scope: 'step', capUsd: 0.5, source: 'budget.stepUsd', spentUsd: 0.3, forecastUsd: 0.25, step: 'work', stage: 'forecast' },
    });
  });

  it('refuses when a cap is spent, even without a forecast', () => {
    const decision = decideBeforeAttempt([taskCap], { sequence: 0, task: 1, step: 0 }, NO_FORECAST, 'work');
    expect(decision).toMatchObject({ go: false, stop: { scope: 'task', stage: 'spent', spentUsd: 1 } });
  });

  it('without caps: goes, with nothing to pass to claude', () => {
    expect(decideBeforeAttempt([], { sequence: 5, task: 5, step: 5 }, NO_FORECAST, 'work')).toEqual({
      go: true,
      leftUsd: undefined,
      tightest: undefined,
    });
  });
});

describe('maxBudgetArgument', () => {
  it('rounds down to a millionth, without float noise, and is never 0', () => {
    expect(maxBudgetArgument(0.46)).toBe('0.46');
    expect(maxBudgetArgument(0.1234567)).toBe('0.123456');
    expect(maxBudgetArgument(0.0000001)).toBe('0.000001');
  });
});

describe('forecast', () => {
  it('median and maximum of the costs, with their number', () => {
    expect(forecastFromCosts([0.3, 0.1, 0.2])).toEqual({ usd: 0.2, maxUsd: 0.3, basis: 'earlier-attempts', samples: 3 });
    expect(forecastFromCosts([0.1, 0.4])).toEqual({ usd: 0.25, maxUsd: 0.4, basis: 'earlier-attempts', samples: 2 });
    expect(forecastFromCosts([])).toEqual({ usd: null, maxUsd: null, basis: 'none', samples: 0 });
  });

  it("takes the same step's finished attempts from every task; unfinished, interrupted and budget-stopped ones are no sample", () => {
    const attempt = (outcome: AttemptOutcome, costUsd: number) => ({
      attempt: 1,
      model: 'm',
      outcome,
      startedAt: '',
      usage: { m: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd } },
      usageSource: 'result' as const,
      malformedLines: 0,
    });
    const task = (steps: Array<[string, ReturnType<typeof attempt>[]]>): { state: TaskState } => ({
      state: { steps: steps.map(([name, attempts]) => ({ name, attempts })) } as unknown as TaskState,
    });
    const states = [
      task([
        ['work', [attempt('passed', 0.1), attempt('check-failed', 0.3)]],
        ['plan', [attempt('passed', 9)]],
      ]),
      task([['work', [attempt('unfinished', 5), attempt('interrupted', 5), attempt('budget', 5), attempt('passed', 0.2)]]]),
    ];
    expect(forecastStep(states, 'work')).toEqual({ usd: 0.2, maxUsd: 0.3, basis: 'earlier-attempts', samples: 3 });
  });
});

describe('caps', () => {
  it('--max-usd sets the task cap on run and the sequence cap on sequence, over the config', () => {
    const config = projectConfig({ taskUsd: 5, sequenceUsd: 9 });
    expect(capsForStep(withMaxUsd(config, 'run', 2), 0)).toEqual([
      { scope: 'sequence', usd: 9, source: 'budget.sequenceUsd' },
      { scope: 'task', usd: 2, source: '--max-usd' },
    ]);
    expect(capsForStep(withMaxUsd(config, 'sequence', 3), 0)[0]).toEqual({ scope: 'sequence', usd: 3, source: '--max-usd' });
  });

  it('pipeline[].budgetUsd wins over budget.stepUsd', () => {
    const config = projectConfig({ stepUsd: 1 }, [
      { name: 'plan', prompt: 'P' },
      { name: 'work', prompt: 'W', budgetUsd: 4 },
    ]);
    expect(capsForStep(config, 0)).toEqual([{ scope: 'step', usd: 1, source: 'budget.stepUsd', step: 'plan' }]);
    expect(capsForStep(config, 1)).toEqual([{ scope: 'step', usd: 4, source: 'pipeline[1].budgetUsd', step: 'work' }]);
  });

  it('a cap over a model without a known price cannot be checked (the pricing: lines to add shown); without a cap it is warned about once', () => {
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    expect(() => checkStepModelsPriced(projectConfig({ taskUsd: 1 }, undefined, 'my-model'), warn)).toThrow(
      /my-model has no known price[\s\S]*\npricing:\n {2}my-model:\n {4}input: </,
    );
    expect(() => checkStepModelsPriced(projectConfig({}, undefined, 'my-model'), warn)).not.toThrow();
    expect(warnings).toEqual([expect.stringMatching(/^warning: no price for my-model \(step /)]);
    warnings.length = 0;
    checkStepModelsPriced(projectConfig({ taskUsd: 1 }, undefined, 'claude-sonnet-5'), warn);
    expect(warnings).toEqual([]);
  });
});
