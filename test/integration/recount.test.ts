/**
 * `claude-project recount`: the raw `.jsonl` step logs are the raw logs; recount
 * rebuilds every number from them, reports where a state file differs (task, step, attempt, model,
 * field), exits 1 when one does, and `--fix` writes the rebuilt numbers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import {
  OPUS,
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectUsage,
  fromModelUsage,
  init,
  result,
  snapshot,
  sumUsage,
  type Attempt,
  type BilledUsage,
} from './helpers.js';

afterAll(cleanup);

const call = (session: string, model: string, modelUsage: Record<string, BilledUsage>): Attempt => ({
  lines: [init(session, model), ...assistant({ id: `msg_${session}`, model, usage: snapshot(11), blocks: 2 }), result({ modelUsage })],
});
// the calls of `sequence tasks`, in order: 01-a plan, 01-a implement, 02-b plan, 02-b implement
const billedPerCall: Array<Record<string, BilledUsage>> = [
  { [OPUS]: billed(1_200, 340, 5_000, 0, 0.1) },
  { [SONNET]: billed(800, 210, 0, 9_000, 0.02) },
  { [OPUS]: billed(1_300, 350, 0, 5_000, 0.11) },
  { [SONNET]: billed(900, 220, 100, 9_100, 0.021) },
];
const TASK_A = sumUsage(fromModelUsage(billedPerCall[0]!), fromModelUsage(billedPerCall[1]!));
const TASK_B = sumUsage(fromModelUsage(billedPerCall[2]!), fromModelUsage(billedPerCall[3]!));

/** A project where `sequence tasks` has run both tasks to the end. */
async function ranProject(): Promise<Project> {
  const project = await Project.create({
    config: config([
      { name: 'plan', model: OPUS, prompt: 'PLAN {{taskName}}' },
      { name: 'implement', prompt: 'IMPLEMENT {{taskName}}' },
    ]),
    tasks: { 'tasks/01-a.md': 'a\n', 'tasks/02-b.md': 'b\n' },
    scenario: { attempts: billedPerCall.map((u, i) => call(`s${i}`, i % 2 === 0 ? OPUS : SONNET, u)) },
  });
  const run = await project.run(['sequence', 'tasks']);
  expect(run.exitCode).toBe(0);
  return project;
}

/** Changes a state file by hand, as a bug or a person might. */
async function tamper(file: string, change: (state: any) => void): Promise<void> {
  const state = JSON.parse(await readFile(file, 'utf8'));
  change(state);
  await writeFile(file, JSON.stringify(state, null, 2));
}

describe('recount', () => {
  it.concurrent('after runs: no difference for a task, a folder or everything (exit 0), and nothing written', async () => {
    const project = await ranProject();
    const before = await project.snapshot();
    for (const target of [['tasks/01-a.md'], ['tasks/'], []]) {
      const recount = await project.run(['recount', ...target]);
      expect(recount.exitCode).toBe(0);
      expect(recount.stdout).toContain('State files match the raw logs.');
    }
    const folder = await project.run(['recount', 'tasks/']);
    expect(folder.stdout.split('\n').filter((l) => l.includes('recounted'))).toEqual([
      'tasks/01-a.md: 2 attempt(s) recounted, 0 difference(s)',
      'tasks/02-b.md: 2 attempt(s) recounted, 0 difference(s)',
    ]);
    expect(await project.snapshot()).toEqual(before);
  });

  it.concurrent('a tampered attempt: named with its task, step, model and field, exit 1; --fix restores it, a second recount finds nothing', async () => {
    const project = await ranProject();
    const truth = billedPerCall[3]![SONNET]!;
    await tamper(project.taskStateFile('02-b'), (s) => {
      s.steps[1].attempts[0].usage[SONNET].outputTokens += 7;
    });
    const tampered = await readFile(project.taskStateFile('02-b'), 'utf8');

    const recount = await project.run(['recount', 'tasks/']);
    expect(recount.exitCode).toBe(1);
    const out = recount.stdout.split('\n');
    expect(out).toContain('tasks/01-a.md: 2 attempt(s) recounted, 0 difference(s)');
    expect(out).toContain('tasks/02-b.md: 2 attempt(s) recounted, 1 difference(s)');
    expect(out).toContain(`  implement attempt 1 ${SONNET} outputTokens: state ${truth.outputTokens + 7}, raw log ${truth.outputTokens}`);
    expect(recount.stdout).not.toContain('State files match');
    // without --fix nothing is written
    expect(await readFile(project.taskStateFile('02-b'), 'utf8')).toBe(tampered);

    const fix = await project.run(['recount', 'tasks/', '--fix']);
    expect(fix.exitCode).toBe(0);
    expect(fix.stdout).toContain(`  fixed: ${project.taskStateFile('02-b')} now holds the numbers rebuilt from the raw logs`);
    const fixed = await project.taskState('02-b');
    expectUsage(fixed.steps[1].attempts[0].usage, fromModelUsage(billedPerCall[3]!));
    expectUsage(fixed.tokenUsage, TASK_B);
    expectUsage((await project.sequenceState()).stats.totalTokenUsage, sumUsage(TASK_A, TASK_B));

    const again = await project.run(['recount', 'tasks/']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('State files match the raw logs.');
  });

  it.concurrent('tampered totals (a step, a task, the sequence) are differences too, and --fix recomputes them', async () => {
    const project = await ranProject();
    await tamper(project.taskStateFile('01-a'), (s) => {
      s.steps[0].usage[OPUS].inputTokens = 1;
      s.tokenUsage[SONNET].cacheReadInputTokens += 1_000;
    });
    await tamper(project.sequenceStateFile, (s) => {
      s.stats.totalTokenUsage[OPUS].outputTokens += 5;
    });

    const recount = await project.run(['recount', 'tasks/']);
    expect(recount.exitCode).toBe(1);
    const out = recount.stdout.split('\n');
    expect(out).toContain(`  plan total ${OPUS} inputTokens: state 1, raw log ${billedPerCall[0]![OPUS]!.inputTokens}`);
    const cacheRead = billedPerCall[1]![SONNET]!.cacheReadInputTokens;
    expect(out).toContain(`  task total ${SONNET} cacheReadInputTokens: state ${cacheRead + 1_000}, raw log ${cacheRead}`);
    const opusOutput = billedPerCall[0]![OPUS]!.outputTokens + billedPerCall[2]![OPUS]!.outputTokens;
    expect(out).toContain(`  sequence.state.json total ${OPUS} outputTokens: state ${opusOutput + 5}, raw log ${opusOutput}`);

    expect((await project.run(['recount', 'tasks/', '--fix'])).exitCode).toBe(0);
    expectUsage((await project.taskState('01-a')).tokenUsage, TASK_A);
    expectUsage((await project.taskState('01-a')).steps[0].usage, fromModelUsage(billedPerCall[0]!));
    expectUsage((await project.sequenceState()).stats.totalTokenUsage, sumUsage(TASK_A, TASK_B));
    const again = await project.run(['recount', 'tasks/']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('State files match the raw logs.');
  });
});
