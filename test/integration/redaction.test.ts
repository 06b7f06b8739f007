/**
 * One redaction rule for everything claude-project prints or writes: an `sk-ant-` token, and the
 * value of ANTHROPIC_ADMIN_KEY / ANTHROPIC_API_KEY, are cut to their first characters and "…".
 * The raw log `.jsonl` (claude's own stream, written by claude itself) is the one exception.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FAKE_CLAUDE, Project, SONNET, assistant, billed, cleanup, config, init, result, snapshot } from './helpers.js';

afterAll(cleanup);

const TOKEN = 'sk-ant-api03-SECRETSECRETSECRETSECRET_0123456789-tail';
const ADMIN = 'admin_KEYVALUE_0123456789_secret';
const API = 'apikey.value.9876543210.secret';
const ENV = { ANTHROPIC_ADMIN_KEY: ADMIN, ANTHROPIC_API_KEY: API };
const SECRETS = [TOKEN, ADMIN, API];

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) expect({ where, leaks: text.includes(secret) }).toEqual({ where, leaks: false });
}

describe('secrets in what claude-project prints and writes', () => {
  it.concurrent('never appear whole in stdout, stderr, --json, the readable log, state files, status or the HTML report', async () => {
    const says = `key ${TOKEN} admin ${ADMIN} api ${API}`;
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work', check: { command: `echo "check saw ${TOKEN} ${ADMIN}"` } }], {
        claude: { command: FAKE_CLAUDE, args: ['--append-system-prompt', TOKEN] },
      }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [
          {
            lines: [
              init('s'),
              ...assistant({ id: 'm1', model: SONNET, usage: snapshot(10), blocks: [{ type: 'text', text: says }] }),
              result({ modelUsage: { [SONNET]: billed(10, 1, 0, 0, 0.0001) }, text: says }),
            ],
            stderr: `warning: ${says}\n`,
          },
        ],
      },
    });
    const outputs: Array<[string, string]> = [];
    const run = await project.run(['run', 'tasks/t.md', '--json'], { env: ENV });
    expect(run.exitCode).toBe(0);
    outputs.push(['run stdout', run.stdout], ['run stderr', run.stderr]);
    const status = await project.run(['status'], { env: ENV });
    const statusJson = await project.run(['status', '--json'], { env: ENV });
    const report = await project.run(['report', '--html', 'out/report.html'], { env: ENV });
    expect(report.exitCode).toBe(0);
    outputs.push(['status', status.stdout], ['status --json', statusJson.stdout], ['report', report.stdout]);
    for (const [where, text] of outputs) expectNoSecret(where, text);

    const written = [...(await filesUnder(path.join(project.dir, '.claude-project'))), path.join(project.dir, 'out', 'report.html')];
    const readable = written.filter((file) => !file.endsWith('.jsonl'));
    expect(readable.filter((f) => f.endsWith('.log'))).toHaveLength(1);
    expect(readable.filter((f) => f.endsWith('.state.json')).length).toBeGreaterThan(0);
    for (const file of readable) expectNoSecret(file, await readFile(file, 'utf8'));
    // what was there is still told, cut short: the stream, claude's stderr, its command line and the check's output
    const { log } = await project.stepLogs('t', 0, 'work');
    expect(log).toContain('--append-system-prompt sk-ant-api…');
    expect(log).toContain('warning: key sk-ant-api…');
    expect(log).toContain('check saw sk-ant-api…');
    expect(log).toContain(`admin ${ADMIN.slice(0, 10)}…`);
    expect(log).toContain(`api ${API.slice(0, 10)}…`);
  });

  it.concurrent('a key cut by the stderr tail, in the GitHub Actions files; the admin key never reaches claude or a check', async () => {
    // the tail keeps claude's last 8 KiB of stderr: cut first, it would start at the key's second character
    const stderr = `${TOKEN}${'x'.repeat(8 * 1024 - TOKEN.length + 1)}`;
    const check = 'if [ -n "$ANTHROPIC_ADMIN_KEY" ]; then echo "the check got the admin key"; exit 1; fi';
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work', check: { command: check } }], { statePath: `state-${API}` }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [{ lines: [init('s'), result({ modelUsage: { [SONNET]: billed(10, 1, 0, 0, 0.0001) } })], stderr }],
      },
    });
    const summary = path.join(project.dir, 'summary.md');
    const outputs = path.join(project.dir, 'outputs.txt');
    const run = await project.run(['run', 'tasks/t.md'], {
      env: { ...ENV, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: outputs },
    });
    expect(run.exitCode).toBe(0);
    const { log } = await project.stepLogs('t', 0, 'work');
    expect(log).not.toContain(TOKEN.slice(1, 20));
    expect(log).toContain('[stderr] sk-ant-api…');
    expect(log).toContain('check passed');
    const [call] = await project.calls();
    expect(call?.anthropicVariables).toEqual(['ANTHROPIC_API_KEY']);
    expect(await readFile(summary, 'utf8')).toContain(`state-${API.slice(0, 10)}…`);
    for (const file of [summary, outputs]) expectNoSecret(file, await readFile(file, 'utf8'));
  });

  it.concurrent('a key pasted into the wrong config field: the error names the field, the key cut short (exit 2)', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }], { timeoutSeconds: TOKEN }),
      tasks: { 'tasks/t.md': 'x\n' },
    });
    const run = await project.run(['run', 'tasks/t.md'], { env: ENV });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('timeoutSeconds');
    expect(run.stderr).toContain('sk-ant-api…');
    expectNoSecret('stderr', run.stderr);
    expectNoSecret('stdout', run.stdout);
  });

  it.concurrent('a task whose path looks like a key is refused by run and sequence before anything runs (exit 2)', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }]),
      tasks: { 'tasks/a.md': 'x\n', 'tasks/rotate-sk-ant-api-keys.md': 'y\n' },
    });
    for (const args of [
      ['run', 'tasks/rotate-sk-ant-api-keys.md'],
      ['sequence', 'tasks'],
    ]) {
      const run = await project.run(args);
      expect({ args, exitCode: run.exitCode }).toEqual({ args, exitCode: 2 });
      expect(run.stderr).toContain("tasks/rotate-sk-ant-api….md: the task's path looks like an API key");
    }
    expect(await project.calls()).toHaveLength(0);
  });

  it.concurrent('a step named like a key is refused: it would not match itself in the state file', async () => {
    const project = await Project.create({ config: config([{ name: TOKEN, prompt: 'Work' }]), tasks: { 'tasks/t.md': 'x\n' } });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/pipeline.*name.*looks like an API key/s);
    expectNoSecret('stderr', run.stderr);
  });
});
