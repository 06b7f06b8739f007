/**
 * claude gets the task and step it serves in its environment (CLAUDE_PROJECT_TASK_PATH,
 * _TASK_NAME, _STEP_NAME, as a check does), so Claude Code's hooks and the commands it runs can
 * tell them; the rest of the environment passes through unchanged.
 */
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FAKE_CLAUDE, Project, SONNET, billed, cleanup, config, init, result } from './helpers.js';

afterAll(cleanup);

const WRAPPER = 'bin/claude-showing-env';

it('each call has CLAUDE_PROJECT_TASK_PATH, _TASK_NAME and _STEP_NAME of its own task and step', async () => {
  const project = await Project.create({
    config: config(
      [
        { name: 'plan', prompt: 'PLAN' },
        { name: 'build_it', prompt: 'BUILD' },
      ],
      { claude: { command: WRAPPER } },
    ),
    tasks: {
      'tasks/my task.md': 'x\n',
      'tasks/other.md': 'y\n',
      // what claude's own children (hooks, Bash commands) see
      [WRAPPER]: `#!/bin/sh\nprintf '%s|%s|%s|%s\\n' "$CLAUDE_PROJECT_TASK_PATH" "$CLAUDE_PROJECT_TASK_NAME" "$CLAUDE_PROJECT_STEP_NAME" "$PASSED_THROUGH" >> env-seen.txt\nexec "${FAKE_CLAUDE}" "$@"\n`,
    },
    scenario: { attempts: [{ lines: [init('sess-env'), result({ modelUsage: { [SONNET]: billed(10, 2, 0, 0, 0.0001) } })] }] },
  });
  await chmod(path.join(project.dir, WRAPPER), 0o755);
  const run = await project.run(['sequence', 'tasks'], { env: { PASSED_THROUGH: 'yes' } });
  expect({ exitCode: run.exitCode, errors: run.stderr.split('\n').filter((l) => l.startsWith('claude-project:')) }).toEqual({
    exitCode: 0,
    errors: [],
  });
  expect((await readFile(path.join(project.dir, 'env-seen.txt'), 'utf8')).split('\n').filter(Boolean)).toEqual([
    'tasks/my task.md|my task|plan|yes',
    'tasks/my task.md|my task|build_it|yes',
    'tasks/other.md|other|plan|yes',
    'tasks/other.md|other|build_it|yes',
  ]);
  // the fake claude records them too (the reliability tests attribute each call by them)
  expect((await project.calls()).map((c) => [c.task, c.step, c.stdin.split('\n')[0]])).toEqual([
    ['tasks/my task.md', 'plan', 'PLAN'],
    ['tasks/my task.md', 'build_it', 'BUILD'],
    ['tasks/other.md', 'plan', 'PLAN'],
    ['tasks/other.md', 'build_it', 'BUILD'],
  ]);
});
