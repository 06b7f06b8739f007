import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CorruptStateError, writeTextAtomic } from '../../src/state/atomic-json.js';
import { prettyJsonChunks, StreamedList } from '../../src/state/json-chunks.js';
import { readStateFile } from '../../src/state/read-state.js';
import { readSequenceOverview } from '../../src/state/sequence-overview.js';
import { SequenceStateSchema } from '../../src/state/sequence-state.js';
import { removeTempDirs, tempDir } from '../support/temp-dirs.js';

afterAll(removeTempDirs);

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function textOf(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

const entry = (n: number) => ({
  taskPath: `tasks/t${n}.md`,
  stateFile: `/s/t${n}.state.json`,
  phase: 'done',
  tokenUsage: {
    'claude-sonnet-4-5': {
      inputTokens: n,
      outputTokens: 2 * n,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreation5mInputTokens: 0,
      cacheCreation1hInputTokens: 0,
      costUsd: n / 1000,
    },
  },
  costUsd: n / 1000,
});

const sequence = (entries: unknown[]) => ({
  version: 1,
  tasksDir: 'tasks',
  shard: null,
  phase: 'done',
  completedTasks: entries.map((_, n) => `tasks/t${n}.md`),
  failedTasks: [],
  currentTaskPath: null,
  tasks: entries,
  stats: { tasksTotal: entries.length, tasksCompleted: entries.length, tasksFailed: 0, totalTokenUsage: {}, totalCostUsd: 0 },
  startedAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:05:00.000Z',
  laterField: { kept: true },
});

describe('prettyJsonChunks', () => {
  it('writes the bytes JSON.stringify(value, null, 2) writes, lists item by item', async () => {
    const value = { a: 1, list: [entry(1), entry(2)], empty: [], gone: undefined, nested: { b: [1, 'x\ny'] }, last: null };
    const text = await textOf(prettyJsonChunks({ ...value, list: new StreamedList(from(value.list)), empty: new StreamedList(from([])) }));
    expect(text).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it('calls a function field only after the lists before it are written', async () => {
    const seen: number[] = [];
    async function* counted() {
      for (const n of [3, 4]) {
        seen.push(n);
        yield n;
      }
    }
    const text = await textOf(prettyJsonChunks({ list: new StreamedList(counted()), sum: () => seen.reduce((a, b) => a + b, 0) }));
    expect(JSON.parse(text)).toEqual({ list: [3, 4], sum: 7 });
  });

  it('writes an empty object as JSON.stringify does', async () => {
    expect(await textOf(prettyJsonChunks({}))).toBe('{}\n');
  });
});

describe('writeTextAtomic with pieces', () => {
  it('leaves the old file and no temp file when a piece fails', async () => {
    const dir = await tempDir('cp-overview-');
    const file = path.join(dir, 'f.json');
    await writeFile(file, 'old');
    async function* failing() {
      yield 'x'.repeat(100_000);
      throw new Error('disk on fire');
    }
    await expect(writeTextAtomic(file, failing())).rejects.toThrow('disk on fire');
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['f.json']);
  });
});

describe('readSequenceOverview', () => {
  it('gives what readStateFile gives, without the entries, and each entry to onEntry', async () => {
    const dir = await tempDir('cp-overview-');
    const file = path.join(dir, 'sequence.state.json');
    const written = sequence([entry(1), entry(2), entry(3)]);
    await writeFile(file, JSON.stringify(written, null, 2));
    const seen: string[] = [];
    const read = await readSequenceOverview(file, (e) => seen.push(e.taskPath));
    const { tasks, ...whole } = (await readStateFile(file, SequenceStateSchema))!;
    expect(read?.overview).toEqual(whole);
    expect(read?.overview).not.toHaveProperty('tasks');
    expect(read?.overview).toHaveProperty('laterField', { kept: true });
    expect(read?.tasksListed).toBe(3);
    expect(seen).toEqual(tasks.map((t) => t.taskPath));
  });

  it('is undefined for a file that does not exist', async () => {
    expect(await readSequenceOverview(path.join(await tempDir('cp-overview-'), 'none.json'))).toBeUndefined();
  });

  it('reports a file system error as it is, not as a bad file', async () => {
    const dir = await tempDir('cp-overview-');
    const error = await readSequenceOverview(dir).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(CorruptStateError);
    expect(error).toHaveProperty('code', 'EISDIR');
  });

  it('names the entry and key of a bad entry', async () => {
    const dir = await tempDir('cp-overview-');
    const file = path.join(dir, 'sequence.state.json');
    const bad = { ...entry(2), tokenUsage: 'x' };
    await writeFile(file, JSON.stringify(sequence([entry(1), bad])));
    const error = await readSequenceOverview(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptStateError);
    expect((error as Error).message).toContain(`${file}: not a valid state file (tasks[1].tokenUsage: expected a mapping, got string "x")`);
  });

  it('names a bad field outside the entries as readStateFile does', async () => {
    const dir = await tempDir('cp-overview-');
    const file = path.join(dir, 'sequence.state.json');
    await writeFile(file, JSON.stringify({ ...sequence([entry(1)]), phase: 'sleeping' }));
    const streamed = await readSequenceOverview(file).catch((e: unknown) => (e as Error).message);
    const whole = await readStateFile(file, SequenceStateSchema).catch((e: unknown) => (e as Error).message);
    expect(streamed).toContain('not a valid state file (phase:');
    expect(streamed).toBe(whole);
  });

  it('refuses a file without a tasks list', async () => {
    const dir = await tempDir('cp-overview-');
    const file = path.join(dir, 'sequence.state.json');
    const { tasks: _dropped, ...noTasks } = sequence([]);
    await writeFile(file, JSON.stringify(noTasks));
    await expect(readSequenceOverview(file)).rejects.toThrow('not a valid state file (tasks:');
  });

  it.each([
    ['cut short', '{"version": 1, "tasks": [{"taskPath": "a"'],
    ['empty', ''],
    ['followed by more', '{"tasks": []} {}'],
  ])('refuses a file that does not parse (%s)', async (_case, text) => {
    const dir = await tempDir('cp-overview-');
    const file = path.join(dir, 'sequence.state.json');
    await writeFile(file, text);
    const error = await readSequenceOverview(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptStateError);
    expect((error as Error).message).toContain(`${file}: state file cannot be parsed (`);
    // in words of its own: not the streaming parser's name for itself, and on one line
    expect((error as Error).message).not.toMatch(/Parser|\n/);
  });
});
