/**
 * A project run for real through the built CLI and the fake `claude`: a two-task sequence on
 * three models, with a retried step whose first attempt crashed without a result (so its usage
 * is the stream estimate), then a task added later that has not run. The numbers the reports
 * must show are computed here from the scenario's inputs, never read from the code under test.
 */
import {
  HAIKU,
  OPUS,
  Project,
  SONNET,
  assistant,
  billed,
  config,
  fromModelUsage,
  init,
  priced,
  result,
  snapshot,
  sumUsage,
  totalOf,
  type ModelTokenUsage,
  type TokenUsage,
} from '../integration/helpers.js';

export { HAIKU, OPUS, SONNET };

const authPlan = { [OPUS]: billed(2_000, 850, 3_000, 12_000, 0.4321) };
const authImpl = { [SONNET]: billed(900, 1_100, 2_000, 40_000, 0.0712), [HAIKU]: billed(2_100, 310, 0, 0, 0.0037) };
const billingPlan = { [OPUS]: billed(1_500, 600, 0, 15_000, 0.09) };
/** The crashed attempt: one message streamed, no result, no transcript: a list-price estimate. */
const crashSnapshot = snapshot(500, 1_000, 8_000);
const billingImpl2 = { [SONNET]: billed(700, 400, 0, 20_000, 0.014) };

export interface Expected {
  /** taskPath → step → per-model usage. */
  steps: Record<string, Record<string, ModelTokenUsage>>;
  /** taskPath → step → per-model usage of each attempt, in order. */
  attempts: Record<string, Record<string, ModelTokenUsage[]>>;
  tasks: Record<string, ModelTokenUsage>;
  all: ModelTokenUsage;
}

export const AUTH = 'tasks/01-auth.md';
export const BILLING = 'tasks/02-billing.md';
export const LATER = 'tasks/03-later.md';

export function expected(): Expected {
  const attempts = {
    [AUTH]: { plan: [fromModelUsage(authPlan)], implement: [fromModelUsage(authImpl)] },
    [BILLING]: { plan: [fromModelUsage(billingPlan)], implement: [priced(SONNET, crashSnapshot), fromModelUsage(billingImpl2)] },
  };
  const steps = Object.fromEntries(
    Object.entries(attempts).map(([task, byStep]) => [
      task,
      Object.fromEntries(Object.entries(byStep).map(([step, a]) => [step, sumUsage(...a)])),
    ]),
  );
  const tasks = Object.fromEntries(Object.entries(steps).map(([task, s]) => [task, sumUsage(...Object.values(s))]));
  return { attempts, steps, tasks, all: sumUsage(...Object.values(tasks)) };
}

export function tokens(u: TokenUsage): number {
  return u.inputTokens + u.outputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens;
}

export { totalOf };

/** Creates the project and runs `sequence tasks` in it (then adds a task that has not run). */
export async function ranProject(): Promise<Project> {
  const project = await Project.create({
    config: config([
      { name: 'plan', model: OPUS, prompt: 'Plan {{taskPath}}' },
      { name: 'implement', prompt: 'Implement {{taskPath}}', check: { command: 'test -f {{taskName}}.done', retries: 1 } },
    ]),
    tasks: { [AUTH]: 'Add login.\n', [BILLING]: 'Add billing.\n' },
    scenario: {
      attempts: [
        {
          lines: [
            init('s1', OPUS),
            ...assistant({ id: 'm1', model: OPUS, usage: snapshot(5), blocks: 2 }),
            result({ modelUsage: authPlan }),
          ],
        },
        {
          lines: [
            init('s2'),
            ...assistant({ id: 'm2', model: SONNET, usage: snapshot(5), blocks: 1 }),
            ...assistant({ id: 'm3', model: HAIKU, usage: snapshot(5), blocks: 1, parentToolUseId: 'toolu_task' }),
            result({ modelUsage: authImpl }),
          ],
          writeFiles: { '01-auth.done': 'yes' },
        },
        {
          lines: [
            init('s3', OPUS),
            ...assistant({ id: 'm4', model: OPUS, usage: snapshot(5), blocks: 1 }),
            result({ modelUsage: billingPlan }),
          ],
        },
        { lines: [init('s4'), ...assistant({ id: 'm5', model: SONNET, usage: crashSnapshot, blocks: 2 })], exitCode: 1 },
        {
          lines: [
            init('s5'),
            ...assistant({ id: 'm6', model: SONNET, usage: snapshot(5), blocks: 1 }),
            result({ modelUsage: billingImpl2 }),
          ],
          writeFiles: { '02-billing.done': 'yes' },
        },
      ],
    },
  });
  const run = await project.run(['sequence', 'tasks']);
  if (run.exitCode !== 0) throw new Error(`sequence failed (${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  await project.writeFile(LATER, 'Later.\n');
  return project;
}
