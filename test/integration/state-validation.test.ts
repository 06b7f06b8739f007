import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Project, SONNET, billed, cleanup, config, init, result } from './helpers.js';

afterAll(cleanup);

const usage = { [SONNET]: billed(100, 10, 0, 0, 0.00045) };
const scenario = {
  attempts: [{ lines: [init('s'), result({ modelUsage: usage })] }, { lines: [init('s2'), result({ modelUsage: usage })] }],
};

/** A project whose task ran once (one claude call), with the path of the task's state file. */
async function ranOnce(): Promise<{ project: Project; taskStateFile: string }> {
  const project = await Project.create({
    config: config([{ name: 'plan', prompt: 'Plan {{taskPath}}' }]),
    tasks: { 'tasks/t.md': 'Task\n' },
    scenario,
  });
  expect((await project.run(['sequence', 'tasks'])).exitCode).toBe(0);
  const names = (await readdir(project.stateDir)).filter((name) => name.endsWith('.state.json') && name !== 'sequence.state.json');
  expect(names).toHaveLength(1);
  return { project, taskStateFile: path.join(project.stateDir, names[0]!) };
}

/** Exit 2 naming the file and the bad field, no stack trace, the file as it was, no claude call. */
async function expectRefusedState(project: Project, args: string[], file: string, field: string | RegExp): Promise<void> {
  const before = await readFile(file, 'utf8');
  const run = await project.run(args);
  expect(run.exitCode).toBe(2);
  expect(run.stderr).toContain(`${file}: not a valid state file (`);
  if (typeof field === 'string') expect(run.stderr).toContain(field);
  else expect(run.stderr).toMatch(field);
  expect(run.stderr).toContain('It has not been changed');
  expect(run.stderr).not.toMatch(/TypeError|unexpected error| {4}at /);
  expect(run.stdout).not.toMatch(/NaN/);
  expect(await readFile(file, 'utf8')).toBe(before);
  expect(await project.calls()).toHaveLength(1);
}

describe('run, sequence and status check every state file they read against its declaration', () => {
  it.concurrent.each([
    ['a list', '[]', 'expected a mapping, got a list'],
    ['an empty object', '{}', /version: expected version 1, got nothing|is required/],
  ])('a task state that is %s', async (_, content, field) => {
    const { project, taskStateFile } = await ranOnce();
    await writeFile(taskStateFile, content);
    for (const args of [['run', 'tasks/t.md'], ['sequence', 'tasks'], ['status']]) {
      await expectRefusedState(project, args, taskStateFile, field);
    }
  });

  it.concurrent('a task state a newer claude-project wrote (version 2) says so (it said only "expected version 1")', async () => {
    const { project, taskStateFile } = await ranOnce();
    const state = JSON.parse(await readFile(taskStateFile, 'utf8'));
    state.version = 2;
    await writeFile(taskStateFile, JSON.stringify(state));
    for (const args of [['run', 'tasks/t.md'], ['status']]) {
      await expectRefusedState(
        project,
        args,
        taskStateFile,
        'version: version 2 is written by a newer claude-project, and this one reads version 1: upgrade claude-project to read it',
      );
    }
  });

  it.concurrent('an attempt whose usage is a string (was: "in NaN", tokenUsage {"0": …}, phase done)', async () => {
    const { project, taskStateFile } = await ranOnce();
    const state = JSON.parse(await readFile(taskStateFile, 'utf8'));
    state.phase = 'failed';
    state.steps[0].status = 'failed';
    state.steps[0].attempts[0].usage = 'x';
    await writeFile(taskStateFile, JSON.stringify(state));
    for (const args of [
      ['run', 'tasks/t.md'],
      ['sequence', 'tasks'],
      ['status', '--json'],
    ]) {
      await expectRefusedState(project, args, taskStateFile, 'steps[0].attempts[0].usage: expected a mapping, got string "x"');
    }
  });

  it.concurrent('a sequence state without its tasks (was: TypeError)', async () => {
    const { project } = await ranOnce();
    const file = project.sequenceStateFile;
    const state = JSON.parse(await readFile(file, 'utf8'));
    delete state.tasks;
    state.phase = 'failed';
    await writeFile(file, JSON.stringify(state));
    for (const args of [['sequence', 'tasks'], ['status'], ['recount']]) {
      await expectRefusedState(project, args, file, 'tasks: is required');
    }
  });
});
