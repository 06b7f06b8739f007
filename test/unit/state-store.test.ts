import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CorruptStateError, readJsonFile, writeJsonAtomic } from '../../src/state/atomic-json.js';
import { z } from 'zod';
import { updateJsonLocked } from '../../src/state/locked-update.js';
import { acquireRunLock } from '../../src/state/run-lock.js';
import { TaskStore } from '../../src/state/task-store.js';
import { taskSlug, taskStateFile } from '../../src/state/paths.js';
import { stateFilePath, storedTaskPath } from '../../src/state/ids.js';
import type { AttemptState } from '../../src/state/task-state.js';
import { removeTempDirs, tempDir } from '../support/temp-dirs.js';

afterAll(removeTempDirs);

const usage = (input: number, output: number, cost: number) => ({
  inputTokens: input,
  outputTokens: output,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  cacheCreation5mInputTokens: 0,
  cacheCreation1hInputTokens: 0,
  costUsd: cost,
});

function attempt(n: number, model: string, input: number, output: number, cost: number): AttemptState {
  return {
    attempt: n,
    model,
    outcome: 'passed',
    startedAt: '2026-01-01T00:00:00.000Z',
    usage: { [model]: usage(input, output, cost) },
    usageSource: 'result',
    malformedLines: 0,
  };
}

describe('atomic JSON files', () => {
  it('writes through a temp file and leaves no temp files behind', async () => {
    const dir = await tempDir('cp-state-');
    const file = path.join(dir, 'a.state.json');
    await writeJsonAtomic(file, { a: 1 });
    await writeJsonAtomic(file, { a: 2 });
    expect(await readJsonFile(file)).toEqual({ a: 2 });
    expect(await readdir(dir)).toEqual(['a.state.json']);
  });

  it('refuses a file that does not parse, naming it, and leaves it as it was', async () => {
    const dir = await tempDir('cp-state-');
    const file = path.join(dir, 'a.state.json');
    await writeFile(file, '{"phase": "do');
    await expect(readJsonFile(file)).rejects.toThrow(CorruptStateError);
    await expect(updateJsonLocked(file, z.unknown(), () => ({ replaced: true }))).rejects.toThrow(file);
    expect(await readFile(file, 'utf8')).toBe('{"phase": "do');
  });

  it('loses no update when many writers race on one file', async () => {
    const dir = await tempDir('cp-state-');
    const file = path.join(dir, 'counter.json');
    await Promise.all(
      Array.from({ length: 25 }, () => updateJsonLocked(file, z.object({ n: z.number() }), (current) => ({ n: (current?.n ?? 0) + 1 }))),
    );
    expect(await readJsonFile(file)).toEqual({ n: 25 });
  });
});

describe('TaskStore', () => {
  it('refuses a state file of the wrong shape, naming the bad field, and leaves it as it was', async () => {
    const dir = await tempDir('cp-state-');
    const file = path.join(dir, 't.state.json');
    const store = new TaskStore(stateFilePath(file), storedTaskPath('tasks/t.md'), 't');
    await store.update((task) => ({ ...task, phase: 'done' }));
    const valid = JSON.parse(await readFile(file, 'utf8'));
    const bad = {
      ...valid,
      steps: [
        {
          name: 'plan',
          status: 'done',
          model: 'm',
          attempts: [{ ...attempt(1, 'm', 1, 1, 0), usage: 'x' }],
          usage: {},
          usageSource: 'result',
        },
      ],
    };
    for (const content of ['[]', '{}', JSON.stringify(bad)]) {
      await writeFile(file, content);
      await expect(store.read()).rejects.toThrow(/not a valid state file/);
      await expect(store.update((task) => task)).rejects.toThrow(/not a valid state file/);
      expect(await readFile(file, 'utf8')).toBe(content);
    }
    await expect(store.read()).rejects.toThrow('steps[0].attempts[0].usage: expected a mapping, got string "x"');
  });

  it('keeps fields it does not know when it rewrites a state file', async () => {
    const dir = await tempDir('cp-state-');
    const file = path.join(dir, 't.state.json');
    const store = new TaskStore(stateFilePath(file), storedTaskPath('tasks/t.md'), 't');
    await store.update((task) => task);
    await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), addedLater: { kept: true } }));
    await store.update((task) => ({ ...task, phase: 'done' }));
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ phase: 'done', addedLater: { kept: true } });
  });

  it('recomputes step and task totals from the attempts on every update', async () => {
    const dir = await tempDir('cp-state-');
    const store = new TaskStore(taskStateFile(dir, 't'), storedTaskPath('tasks/t.md'), 't');
    await store.update((task) => ({
      ...task,
      steps: [
        {
          name: 'plan',
          status: 'done',
          model: 'claude-opus-4-1',
          attempts: [attempt(1, 'claude-opus-4-1', 10, 5, 0.5), attempt(2, 'claude-opus-4-1', 20, 6, 0.25)],
          usage: {},
          usageSource: 'result',
        },
        {
          name: 'impl',
          status: 'done',
          model: 'claude-haiku-4-5',
          attempts: [attempt(1, 'claude-haiku-4-5', 7, 3, 0.125)],
          usage: {},
          usageSource: 'result',
        },
      ],
    }));
    const state = (await store.read())!;
    expect(state.steps[0]?.usage['claude-opus-4-1']).toEqual(usage(30, 11, 0.75));
    expect(state.tokenUsage).toEqual({ 'claude-opus-4-1': usage(30, 11, 0.75), 'claude-haiku-4-5': usage(7, 3, 0.125) });
    expect(state.totalCostUsd).toBe(0.875);
  });
});

describe('run lock', () => {
  it('refuses a second run of the same task, naming the process that holds it', async () => {
    const dir = await tempDir('cp-state-');
    const file = path.join(dir, 't.state.json');
    const release = await acquireRunLock(file, 'Task tasks/t.md');
    await expect(acquireRunLock(file, 'Task tasks/t.md')).rejects.toThrow(
      new RegExp(`Task tasks/t.md is already being run by process ${process.pid} on `),
    );
    await release();
    const again = await acquireRunLock(file, 'Task tasks/t.md');
    await again();
  });
});

describe('taskSlug', () => {
  it('drops .md and replaces characters outside [a-zA-Z0-9-]', () => {
    expect(taskSlug('tasks/01 add_login.v2.md')).toBe('01-add-login-v2');
  });
});
