import { spawnSync } from 'node:child_process';
import { checkCommandWithVariables, checkEnvironment } from '../../src/config/template.js';

describe('placeholders in a check command become quoted variable references', () => {
  it.each([
    ['test -f out-{{taskName}}.txt', 'test -f out-"${CLAUDE_PROJECT_TASK_NAME}".txt'],
    ['test -n "{{taskName}}"', 'test -n "${CLAUDE_PROJECT_TASK_NAME}"'],
    ["echo '{{ taskPath }}'", `echo ''"\${CLAUDE_PROJECT_TASK_PATH}"''`],
    ['echo \\"{{stepName}}', 'echo \\""${CLAUDE_PROJECT_STEP_NAME}"'],
    ['echo "it\'s {{taskName}}" \'"\' {{taskName}}', `echo "it's \${CLAUDE_PROJECT_TASK_NAME}" '"' "\${CLAUDE_PROJECT_TASK_NAME}"`],
  ])('%s', (template, expected) => {
    expect(checkCommandWithVariables(template)).toBe(expected);
  });

  it.each(['x$(touch PWNED)', 'my task', "it's", 'a"b`c`\\d', '*', '-n'])(
    'the shell sees the name %j as one word, verbatim, in every quoting',
    (name) => {
      const command = checkCommandWithVariables(`printf '%s|' {{taskName}} "{{taskName}}" '{{taskName}}' x{{taskName}}y`);
      const env = {
        PATH: process.env.PATH,
        ...checkEnvironment({ taskPath: `${name}.md`, taskName: name, taskContent: '', stepName: 'work' }),
      };
      const out = spawnSync('/bin/sh', ['-c', command], { env, encoding: 'utf8', cwd: '/' });
      expect(out.stdout).toBe(`${name}|${name}|${name}|x${name}y|`);
    },
  );
});
