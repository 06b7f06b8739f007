import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { CLI, Project, SONNET, billed, cleanup, config, init, result, taskFileName } from './helpers.js';

afterAll(cleanup);

const pipeline = [{ name: 'plan', prompt: 'Plan {{taskPath}}' }];
const scenario = { attempts: [{ lines: [init('s'), result({ modelUsage: { [SONNET]: billed(10, 5, 0, 0, 0.001) } })] }] };
/** A stack frame line, as Node prints it. */
const STACK_FRAME = /\n\s+at /;

/** The phase of every task state file under the state folder (none if it holds none). */
async function taskPhases(project: Project): Promise<string[]> {
  if (!existsSync(project.stateDir)) return [];
  const files = (await readdir(project.stateDir)).filter((f) => f.endsWith('.state.json') && f !== 'sequence.state.json');
  return Promise.all(
    files.map(async (f) => (JSON.parse(await readFile(path.join(project.stateDir, f), 'utf8')) as { phase: string }).phase),
  );
}

// Paths under a regular file fail with ENOTDIR for every user, root included (root ignores chmod).
describe('filesystem errors: exit 2 naming the path and what to do, no stack, no task left running', () => {
  it('state folder under a regular file: run refuses before anything runs', async () => {
    const project = await Project.create({
      config: config(pipeline, { statePath: 'blocker/state' }),
      tasks: { 'tasks/t.md': 'T\n', blocker: 'a file\n' },
      scenario,
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`${path.join(project.dir, 'blocker', 'state')}: cannot write the state folder`);
    expect(run.stderr).toContain('ENOTDIR');
    expect(run.stderr).toContain(`statePath in ${project.configFile}`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(await project.calls()).toHaveLength(0);
  });

  it('logs folder under a regular file (state folder fine): run refuses, no task state left running', async () => {
    const project = await Project.create({
      config: config(pipeline, { logsPath: 'blocker/logs' }),
      tasks: { 'tasks/t.md': 'T\n', blocker: 'a file\n' },
      scenario,
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`${path.join(project.dir, 'blocker', 'logs')}: cannot write the logs folder`);
    expect(run.stderr).toContain(`logsPath in ${project.configFile}`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(await taskPhases(project)).not.toContain('running');
    expect(await project.calls()).toHaveLength(0);
  });

  it("a task's own logs folder is a file: refused before the task is marked running", async () => {
    const project = await Project.create({ config: config(pipeline), tasks: { 'tasks/t.md': 'T\n' }, scenario });
    await project.writeFile(`.claude-project/logs/${taskFileName('tasks/t.md')}`, 'not a folder\n');
    const run = await project.run(['sequence', 'tasks']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`${path.join(project.logsDir, taskFileName('tasks/t.md'))}: cannot write the logs folder of this task`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(await taskPhases(project)).not.toContain('running');
    expect((await project.sequenceState()).phase).toBe('failed');
    expect(await project.calls()).toHaveLength(0);
  });

  it('logsPath is /dev/full (exists, not a folder): run refuses, naming it', async () => {
    const project = await Project.create({ config: config(pipeline, { logsPath: '/dev/full' }), tasks: { 'tasks/t.md': 'T\n' }, scenario });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('/dev/full: cannot write the logs folder');
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(await taskPhases(project)).not.toContain('running');
  });

  it('status with the state folder under a regular file: exit 2 naming the path', async () => {
    const project = await Project.create({ config: config(pipeline, { statePath: 'blocker/state' }), tasks: { blocker: 'a file\n' } });
    const run = await project.run(['status']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(path.join(project.dir, 'blocker', 'state'));
    expect(run.stderr).toMatch(/ENOTDIR.*To go on:/);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('status > /dev/full: exit 2 naming standard output and the full device, no stack', async () => {
    const project = await Project.create({ config: config(pipeline), tasks: { 'tasks/t.md': 'T\n' }, scenario });
    expect((await project.run(['run', 'tasks/t.md'])).exitCode).toBe(0);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: project.home, NO_COLOR: '1' };
    delete env.NODE_OPTIONS;
    const run = await execa('sh', ['-c', `"${process.execPath}" "${CLI}" status > /dev/full`], {
      cwd: project.dir,
      env,
      extendEnv: false,
      reject: false,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('standard output (/dev/full): cannot write the output: no space left on the device (ENOSPC)');
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('init', () => {
  it('writes a commented starter config that the config loader accepts, and an example task', async () => {
    const project = await Project.create();
    const run = await project.run(['init']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`wrote ${project.configFile}`);
    expect(run.stdout).toContain(`wrote ${path.join(project.dir, 'tasks', 'example.md')}`);
    const text = await readFile(project.configFile, 'utf8');
    expect(text).toMatch(/^# /m);
    const loaded = await loadConfig(project.configFile, {});
    expect(loaded.pipeline.map((step) => step.name)).toEqual(['plan', 'implement']);
    expect(await readFile(path.join(project.dir, 'tasks', 'example.md'), 'utf8')).toMatch(/^# Example task/);
    // The built CLI reads it too, and the example task is the one it knows of.
    const status = await project.run(['status', 'tasks']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('tasks/example.md: not run yet');
  });

  it('writes into the folder it is given', async () => {
    const project = await Project.create();
    const run = await project.run(['init', 'sub/app']);
    expect(run.exitCode).toBe(0);
    expect(existsSync(path.join(project.dir, 'sub', 'app', 'claude-project.yaml'))).toBe(true);
    expect(existsSync(path.join(project.dir, 'sub', 'app', 'tasks', 'example.md'))).toBe(true);
  });

  it('refuses to overwrite an existing config: exit 2 naming it, nothing written', async () => {
    const project = await Project.create();
    await writeFile(project.configFile, 'model: mine\n');
    const run = await project.run(['init']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`${project.configFile}: already exists`);
    expect(await readFile(project.configFile, 'utf8')).toBe('model: mine\n');
    expect(existsSync(path.join(project.dir, 'tasks'))).toBe(false);
  });

  it('into a symbolic link that points nowhere: exit 2 in words, and the link is still there', async () => {
    const project = await Project.create();
    await symlink(path.join(project.dir, 'nowhere'), path.join(project.dir, 'app'));
    const run = await project.run(['init', 'app']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'app/claude-project.yaml: cannot write it: no such file or folder (or a symbolic link on the way points nowhere) (ENOENT)',
    );
    expect(run.stderr).not.toMatch(/unexpected error|ENOENT: no such file/);
    expect(await readlink(path.join(project.dir, 'app'))).toBe(path.join(project.dir, 'nowhere'));
  });

  it('refuses to overwrite an existing example task: exit 2 naming it, no config written', async () => {
    const project = await Project.create({ tasks: { 'tasks/example.md': 'mine\n' } });
    const run = await project.run(['init']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`${path.join(project.dir, 'tasks', 'example.md')}: already exists`);
    expect(await readFile(path.join(project.dir, 'tasks', 'example.md'), 'utf8')).toBe('mine\n');
    expect(existsSync(project.configFile)).toBe(false);
  });
});
