/**
 * The sequence state as the process holding the sequence lock keeps it: entries recorded in
 * memory, the file rewritten whole now and then, always with totals rolled up from its entries.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from '../integration/helpers.js';
import { SequenceRecord } from '../../src/state/sequence-record.js';
import { stateFilePath } from '../../src/state/ids.js';
import { newSequenceState, type SequenceState } from '../../src/state/sequence-state.js';
import { newTaskState, withTotals, type TaskState } from '../../src/state/task-state.js';
import { removeTempDirs, tempDir } from '../support/temp-dirs.js';

afterAll(removeTempDirs);

const NOW = '2026-12-01T00:00:00.000Z';
const MODEL = 'claude-sonnet-4-5';

function doneTask(taskPath: string, input: number, costUsd: number): TaskState {
  const usage = {
    [MODEL]: {
      inputTokens: input,
      outputTokens: 1,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreation5mInputTokens: 0,
      cacheCreation1hInputTokens: 0,
      costUsd,
    },
  };
  const attempt = {
    attempt: 1,
    model: MODEL,
    outcome: 'passed' as const,
    startedAt: NOW,
    usage,
    usageSource: 'result' as const,
    malformedLines: 0,
  };
  return withTotals({
    ...newTaskState(taskPath, taskPath, NOW),
    phase: 'done',
    steps: [{ name: 'work', status: 'done', model: MODEL, attempts: [attempt], usage: {}, usageSource: 'none' }],
  });
}

async function readSequence(file: string): Promise<SequenceState> {
  return JSON.parse(await readFile(file, 'utf8')) as SequenceState;
}

describe('SequenceRecord', () => {
  it('a forced save writes every entry and totals rolled up from them, by hand: 10 + 20 + 30 tokens', async () => {
    const file = path.join(await tempDir('cp-seq-record-'), 'sequence.state.json');
    const record = new SequenceRecord(file, newSequenceState('tasks', ['a', 'b', 'c'], NOW), () => NOW);
    record.recordTask(stateFilePath('a.state.json'), doneTask('tasks/a.md', 10, 0.1));
    record.recordTask(stateFilePath('b.state.json'), doneTask('tasks/b.md', 20, 0.2));
    // b again, now failed: its entry is replaced in its place, not added
    record.recordTask(stateFilePath('b.state.json'), { ...doneTask('tasks/b.md', 20, 0.2), phase: 'failed' });
    record.recordTask(stateFilePath('c.state.json'), doneTask('tasks/c.md', 30, 0.3));
    await record.save(true);
    const written = await readSequence(file);
    expect(written.tasks.map((t) => t.taskPath)).toEqual(['tasks/a.md', 'tasks/b.md', 'tasks/c.md']);
    expect(written.completedTasks).toEqual(['tasks/a.md', 'tasks/c.md']);
    expect(written.failedTasks).toEqual(['tasks/b.md']);
    expect(written.stats.tasksCompleted).toBe(2);
    expect(written.stats.tasksFailed).toBe(1);
    expect(written.stats.totalTokenUsage[MODEL]!.inputTokens).toBe(60);
    expect(written.stats.totalTokenUsage[MODEL]!.outputTokens).toBe(3);
    expect(written.stats.totalCostUsd).toBe(0.6);
  });

  it('a save put off is made by itself later: the file catches up with no further call', async () => {
    const file = path.join(await tempDir('cp-seq-record-'), 'sequence.state.json');
    const record = new SequenceRecord(file, newSequenceState('tasks', ['a', 'b'], NOW), () => NOW);
    await record.save(true);
    record.recordTask(stateFilePath('a.state.json'), doneTask('tasks/a.md', 10, 0.1));
    await record.save();
    record.recordTask(stateFilePath('b.state.json'), doneTask('tasks/b.md', 20, 0.2));
    await record.save();
    await waitFor('both entries written', async () => (await readSequence(file)).tasks.length === 2);
    expect((await readSequence(file)).stats.totalTokenUsage[MODEL]!.inputTokens).toBe(30);
  });

  it('keeps a billing record another command wrote into the file since its last write', async () => {
    const file = path.join(await tempDir('cp-seq-record-'), 'sequence.state.json');
    const record = new SequenceRecord(file, newSequenceState('tasks', ['a'], NOW), () => NOW);
    await record.save(true);
    const billing = {
      status: 'verified',
      checkedAt: NOW,
      window: { start: NOW, end: '2026-12-01T00:01:00.000Z' },
      billed: {},
      difference: {},
      reads: 1,
    };
    await writeFile(file, JSON.stringify({ ...(await readSequence(file)), billing }, null, 2));
    record.recordTask(stateFilePath('a.state.json'), doneTask('tasks/a.md', 10, 0.1));
    await record.save(true);
    const written = await readSequence(file);
    expect(written.billing).toEqual(billing);
    expect(written.tasks).toHaveLength(1);
  });
});
