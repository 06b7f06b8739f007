// `prices`: the rates a run would use per model and who gave them; and, before a run, a step
// whose model no table prices: warned about once, or refused under a cap (exit 2, the lines to add).
import { Project, assistant, billed, cleanup, config, init, result, snapshot, type Attempt } from './helpers.js';
import { validator } from '../report/schema.js';

afterAll(cleanup);

const NEW_MODEL = 'claude-sonnet-9';

const call: Attempt = {
  lines: [
    init('s', NEW_MODEL),
    ...assistant({ id: 'm', model: NEW_MODEL, usage: snapshot(10), blocks: 1 }),
    result({ modelUsage: { [NEW_MODEL]: billed(10, 1, 0, 0, 0.0001) } }),
  ],
};

describe('prices', () => {
  it.concurrent("shows each model's rates and source: the config's pricing: first, then the database; --json follows its schema", async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }], {
        pricing: { [`${NEW_MODEL}-20270101`]: { input: 2, output: 10, cacheRead: 0.1 }, 'claude-haiku-4-5': { input: 0.5, output: 2.5 } },
      }),
      tasks: {},
      scenario: { attempts: [] },
    });
    const text = await project.run(['prices', `${NEW_MODEL}[1m]`, 'claude-haiku-4-5', 'claude-sonnet-4-5-20250929', 'claude-haiku-5-5']);
    expect(text.exitCode).toBe(0);
    const rows = text.stdout.split('\n');
    // model, input, output, 5m write (1.25x), 1h write (2x), read, long context, source
    expect(rows.find((r) => r.startsWith(`${NEW_MODEL}[1m] `))?.split(/\s{2,}/)).toEqual([
      `${NEW_MODEL}[1m]`,
      '$2.00',
      '$10.00',
      '$2.50',
      '$4.00',
      '$0.10',
      '-',
      'config',
    ]);
    expect(rows.find((r) => r.startsWith('claude-haiku-4-5 '))).toMatch(/\$0\.50\s+\$2\.50\s+\$0\.625\s+\$1\.00\s+\$0\.05\s+-\s+config$/);
    expect(rows.find((r) => r.startsWith('claude-sonnet-4-5-20250929 '))).toMatch(
      /\$3\.00\s+\$15\.00\s+\$3\.75\s+\$6\.00\s+\$0\.30\s+over 200,000 in: \$6\.00\/\$22\.50\s+genai-prices@\d+\.\d+\.\d+$/,
    );
    expect(rows.find((r) => r.startsWith('claude-haiku-5-5 '))).toMatch(/no price/);
    expect(text.stdout).toContain('1 model(s) without a price: add them under `pricing:`');

    const json = await project.run(['prices', 'claude-haiku-5-5', 'claude-opus-5-5', '--json']);
    expect(json.exitCode).toBe(0);
    const list = JSON.parse(json.stdout);
    expect(validator('prices')(list)).toEqual([]);
    expect(list.models).toEqual([
      { model: 'claude-haiku-5-5', canonical: 'claude-haiku-5-5', source: null, rates: null, longContext: null },
      {
        model: 'claude-opus-5-5',
        canonical: 'claude-opus-5-5',
        source: list.database,
        // Opus 5.5 reads at 0.05x input
        rates: { input: 4, output: 20, cacheWrite5m: 5, cacheWrite1h: 8, cacheRead: 0.2 },
        longContext: null,
      },
    ]);

    const all = JSON.parse((await project.run(['prices', '--json'])).stdout);
    expect(all.models.map((m: { model: string }) => m.model)).toEqual(
      expect.arrayContaining([`${NEW_MODEL}`, 'claude-haiku-4-5', 'claude-sonnet-5']),
    );
  });

  it.concurrent('a bad --config is exit 2 naming the file', async () => {
    const project = await Project.create({ config: config([{ name: 'work', prompt: 'Work' }]), tasks: {}, scenario: { attempts: [] } });
    const res = await project.run(['prices', '--config', 'nowhere.yaml']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('nowhere.yaml: config file not found');
  });
});

describe('a step whose model no table prices, before a run', () => {
  it.concurrent('is warned about once, and runs (priced by Claude Code)', async () => {
    const project = await Project.create({
      config: config(
        [
          { name: 'plan', prompt: 'Plan' },
          { name: 'work', prompt: 'Work' },
        ],
        { model: NEW_MODEL },
      ),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [call, call] },
    });
    const res = await project.run(['run', 'tasks/t.md', '--quiet']);
    expect(res.exitCode).toBe(0);
    const warnings = res.stderr.split('\n').filter((line) => line.startsWith('warning: no price for'));
    expect(warnings).toEqual([expect.stringContaining(`warning: no price for ${NEW_MODEL} (step plan, work)`)]);
    const state = await project.taskState('t');
    expect(state.tokenUsage[NEW_MODEL]).toEqual(expect.objectContaining({ costUsd: 0.0002, priceSource: 'claude-code' }));
  });

  it.concurrent('under a cap is refused before anything runs: exit 2, naming the model and the pricing: lines to add', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work', model: NEW_MODEL }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [call] },
    });
    const res = await project.run(['run', 'tasks/t.md', '--max-usd', '1']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(
      `pipeline[0].model: ${NEW_MODEL} has no known price, so the cap --max-usd ($1) cannot be checked for step work`,
    );
    expect(res.stderr).toContain(
      `pricing:\n  ${NEW_MODEL}:\n    input: <USD per million input tokens>\n    output: <USD per million output tokens>`,
    );
    expect(await project.calls()).toEqual([]);
  });
});
