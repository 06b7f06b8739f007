import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { renderPrompt, unknownPlaceholders } from '../../src/config/template.js';
import { UserError } from '../../src/errors/user-error.js';
import { removeTempDirs, tempDir } from '../support/temp-dirs.js';

afterAll(removeTempDirs);

async function configFile(text: string): Promise<string> {
  const dir = await tempDir('cp-config-');
  const file = path.join(dir, 'claude-project.yaml');
  await writeFile(file, text);
  return file;
}

async function loadError(text: string): Promise<string> {
  const file = await configFile(text);
  try {
    await loadConfig(file, {});
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message.replaceAll(file, 'FILE');
  }
  throw new Error('expected the config to be refused');
}

describe('loadConfig', () => {
  it('fills in defaults, resolves paths against the config folder, and lets the env override the claude command', async () => {
    const file = await configFile('pipeline:\n  - name: plan\n    prompt: Plan {{taskPath}}\n    check:\n      command: test -f PLAN.md\n');
    const config = await loadConfig(file, { CLAUDE_PROJECT_CLAUDE_BIN: '/opt/claude' });
    expect(config.model).toBe('claude-sonnet-4-5');
    expect(config.claude).toEqual({ command: '/opt/claude', args: [], exitAfterResultSeconds: 600 });
    expect(config.statePath).toBe(path.join(path.dirname(file), '.claude-project/state'));
    expect(config.rateLimit).toEqual({ wait: true, maxWaitMinutes: 360, marginSeconds: 60, minWaitSeconds: 60, maxReruns: 5 });
    expect(config.pipeline[0]?.check).toEqual({ command: 'test -f PLAN.md', retries: 0 });
  });

  it("resolves each step's effective settings once: its own model, timeout, retries and cap, else the config's", async () => {
    const file = await configFile(
      [
        'model: claude-opus-4-1',
        'timeoutSeconds: 600',
        'budget: { stepUsd: 2 }',
        'billing: { pollSeconds: 120 }',
        'pipeline:',
        '  - name: plan',
        '    prompt: Plan',
        '  - name: work',
        '    prompt: Work',
        '    model: claude-haiku-4-5',
        '    timeoutSeconds: 30',
        '    budgetUsd: 0.5',
        '    check: { command: "true", retries: 2 }',
        '',
      ].join('\n'),
    );
    const config = await loadConfig(file, {});
    const [plan, work] = config.pipeline;
    expect(plan).toEqual({
      name: 'plan',
      prompt: 'Plan',
      model: 'claude-opus-4-1',
      modelKey: 'model',
      timeoutSeconds: 600,
      retries: 0,
      cap: { usd: 2, source: 'budget.stepUsd' },
    });
    expect(work).toMatchObject({
      model: 'claude-haiku-4-5',
      modelKey: 'pipeline[1].model',
      timeoutSeconds: 30,
      retries: 2,
      cap: { usd: 0.5, source: 'pipeline[1].budgetUsd' },
    });
    expect(config.billing).toEqual({ settleMinutes: 60, pollSeconds: 120, requestTimeoutSeconds: 30 });
  });

  it('names the file, line and column of a YAML syntax error', async () => {
    const message = await loadError('model: a\npipeline:\n  - name: [unclosed\n');
    expect(message).toMatch(/^FILE:\d+:\d+: YAML syntax error/);
  });

  it('refuses unknown keys with their key path and line, and lists the valid keys', async () => {
    const message = await loadError('pipeline:\n  - name: plan\n    promt: typo\n    prompt: ok\n');
    expect(message).toContain(
      'FILE:3: pipeline[0].promt: unknown key; valid keys here: name, model, prompt, check, timeoutSeconds, budgetUsd',
    );
  });

  it('reports wrong types and values with the key path', async () => {
    const message = await loadError(
      'model: 5\npipeline:\n  - name: plan\n    prompt: p\n    check:\n      command: true\n      retries: -1\n',
    );
    expect(message).toContain('FILE:1: model: expected a non-empty string, got number 5');
    expect(message).toContain('FILE:7: pipeline[0].check.retries: expected a number ≥ 0, got -1');
  });

  it('requires a non-empty pipeline and a prompt per step', async () => {
    expect(await loadError('model: x\n')).toContain('pipeline: is required');
    expect(await loadError('pipeline:\n  - name: a\n')).toContain('pipeline[0].prompt: is required');
  });

  it('refuses unknown placeholders and duplicate step names', async () => {
    const message = await loadError('pipeline:\n  - name: a\n    prompt: "{{foo}}"\n  - name: a\n    prompt: x\n');
    expect(message).toContain('pipeline[0].prompt: unknown placeholder {{foo}}');
    expect(message).toContain('FILE:4: pipeline[1].name: duplicate step name "a"');
  });

  it('refuses a timeout longer than Node.js timers can hold, and survives a step that is not a mapping', async () => {
    const message = await loadError(
      'timeoutSeconds: 2147484\npipeline:\n  - null\n  - name: a\n    prompt: x\n    timeoutSeconds: 3000000\n',
    );
    expect(message).toContain(
      'FILE:1: timeoutSeconds: expected a number ≤ 2147483 (about 24 days, the longest timer Node.js keeps), got 2147484',
    );
    expect(message).toContain('FILE:6: pipeline[1].timeoutSeconds: expected a number ≤ 2147483');
    expect(message).toContain('pipeline[0]: expected a mapping, got nothing');
  });

  it('refuses an empty model-id prefix under pricing: it would price every model', async () => {
    const message = await loadError('pricing:\n  "":\n    input: 1\n    output: 1\npipeline:\n  - name: a\n    prompt: x\n');
    expect(message).toContain('pricing: a model-id prefix is empty: it would price every model');
  });

  it('says how to fix a missing config file', async () => {
    await expect(loadConfig('/nonexistent/claude-project.yaml', {})).rejects.toThrow(/config file not found.*--config FILE/);
  });
});

describe('prompt templates', () => {
  const values = { taskPath: 'tasks/a.md', taskName: 'a', taskContent: 'Do it.', stepName: 'plan' };

  it('fills placeholders and appends the task text when {{taskContent}} is not used', () => {
    expect(renderPrompt('Step {{stepName}} for {{ taskPath }} ({{taskName}})', values)).toBe('Step plan for tasks/a.md (a)\n\nDo it.');
  });

  it('does not append the task text when the template places it', () => {
    expect(renderPrompt('Task:\n{{taskContent}}\nEnd', values)).toBe('Task:\nDo it.\nEnd');
  });

  it('lists unknown placeholders', () => {
    expect(unknownPlaceholders('{{taskPath}} {{nope}} {{ other }}')).toEqual(['nope', 'other']);
  });
});
