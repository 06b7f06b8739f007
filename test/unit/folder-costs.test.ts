import { readFile, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { folderCosts } from '../../src/pipeline/budget/folder-costs.js';
import { forecastOf } from '../../src/pipeline/budget/forecast.js';
import { CorruptStateError, writeJsonAtomic } from '../../src/state/atomic-json.js';
import { TaskStore } from '../../src/state/task-store.js';
import type { TaskState } from '../../src/state/task-state.js';
import { stateFilePath, storedTaskPath } from '../../src/state/ids.js';
import { taskStateFile } from '../../src/state/paths.js';
import { removeTempDirs, tempDir } from '../support/temp-dirs.js';

afterAll(removeTempDirs);

/** No state file of the folder is the asking task's own. */
const NO_OWN_FILE = stateFilePath('');

const MODEL = 'claude-sonnet-4-5';

/** A done task state with one step, `work`, whose attempts cost `costs` (the last one passed). */
function taskState(name: string, costs: number[]) {
  const usage = (costUsd: number) => ({
    [MODEL]: {
      inputTokens: 10,
      outputTokens: 1,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreation5mInputTokens: 0,
      cacheCreation1hInputTokens: 0,
      costUsd,
    },
  });
  const total = (list: number[]) => ({
    [MODEL]: {
      inputTokens: 10 * list.length,
      outputTokens: list.length,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreation5mInputTokens: 0,
      cacheCreation1hInputTokens: 0,
      costUsd: list.reduce((a, b) => a + b, 0),
    },
  });
  const attempts = costs.map((cost, i) => ({
    attempt: i + 1,
    model: MODEL,
    outcome: i === costs.length - 1 ? 'passed' : 'check-failed',
    startedAt: '2026-11-30T10:00:00.000Z',
    usage: usage(cost),
    usageSource: 'result',
    malformedLines: 0,
  }));
  return {
    version: 1,
    taskPath: `tasks/${name}.md`,
    taskName: name,
    phase: 'done',
    steps: [{ name: 'work', status: 'done', model: MODEL, attempts, usage: total(costs), usageSource: 'result' }],
    tokenUsage: total(costs),
    totalCostUsd: costs.reduce((a, b) => a + b, 0),
    malformedLines: 0,
    createdAt: '2026-11-30T10:00:00.000Z',
    updatedAt: '2026-11-30T10:00:00.000Z',
  };
}

async function folder(states: Record<string, number[]>): Promise<string> {
  const dir = await tempDir('cp-folder-costs-');
  for (const [name, costs] of Object.entries(states)) await writeJsonAtomic(path.join(dir, `${name}.state.json`), taskState(name, costs));
  return dir;
}

describe('folderCosts', () => {
  it("gives every other task state's cost and finished attempts, in name order", async () => {
    const dir = await folder({ a: [0.25, 0.5], b: [2], own: [8] });
    const costs = await folderCosts(dir, taskStateFile(dir, 'own'), true);
    expect(costs.map((c) => c.cost)).toEqual([0.75, 2]);
    expect(forecastOf(costs, 'work')).toEqual({ usd: 0.5, maxUsd: 2, basis: 'earlier-attempts', samples: 3 });
  });

  it('sees a state replaced since the last read (every write renames a new file over it)', async () => {
    const dir = await folder({ a: [1] });
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([1]);
    await writeJsonAtomic(path.join(dir, 'a.state.json'), taskState('a', [1, 3]));
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([4]);
  });

  it('does not read a state again that was not replaced', async () => {
    const dir = await folder({ a: [1] });
    const file = path.join(dir, 'a.state.json');
    const time = new Date('2026-11-30T10:00:00Z');
    await utimes(file, time, time);
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([1]);
    // the same file (inode), size and time, its bytes spoiled in place: a read would refuse it
    await writeFile(file, ' '.repeat((await readFile(file)).length));
    await utimes(file, time, time);
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([1]);
  });

  it('a state that does not parse stops a capped run, and is left out otherwise', async () => {
    const dir = await folder({ a: [1], b: [2] });
    await writeFile(path.join(dir, 'b.state.json'), '{"version": 1,');
    await expect(folderCosts(dir, NO_OWN_FILE, true)).rejects.toBeInstanceOf(CorruptStateError);
    expect((await folderCosts(dir, NO_OWN_FILE, false)).map((c) => c.cost)).toEqual([1]);
  });

  it("folds in this process's own writes: a task state it writes is counted at the next call", async () => {
    const dir = await folder({ a: [1] });
    const past = new Date(Date.now() - 60_000);
    await utimes(dir, past, past);
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([1]);
    const store = new TaskStore(taskStateFile(dir, 'b'), storedTaskPath('tasks/b.md'), 'b');
    await store.update(() => taskState('b', [2, 3]) as TaskState);
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([1, 5]);
    await store.update(() => taskState('b', [2]) as TaskState);
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([1, 2]);
  });

  it('does not list the folder again while only this process changed it', async () => {
    const dir = await folder({ a: [1], c: [4] });
    const past = new Date(Date.now() - 60_000);
    await utimes(dir, past, past);
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([1, 4]);
    await new TaskStore(taskStateFile(dir, 'b'), storedTaskPath('tasks/b.md'), 'b').update(() => taskState('b', [2]) as TaskState);
    // c rewritten in place (no new entry, so the folder's time does not move): only looking at each file would see it
    await writeFile(path.join(dir, 'c.state.json'), JSON.stringify(taskState('c', [9])));
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([1, 2, 4]);
  });

  it("sees another process's write after a scan the folder's clock has settled on", async () => {
    const dir = await folder({ a: [1], b: [2] });
    // a folder last changed a while ago: the scan's stamp is one a later change cannot share
    const past = new Date(Date.now() - 60_000);
    await utimes(dir, past, past);
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([1, 2]);
    // another process's write: a new file renamed over b's
    const temp = path.join(dir, 'b.tmp');
    await writeFile(temp, JSON.stringify(taskState('b', [2, 5])));
    await rename(temp, path.join(dir, 'b.state.json'));
    expect((await folderCosts(dir, NO_OWN_FILE, true)).map((c) => c.cost)).toEqual([1, 7]);
  });
});
