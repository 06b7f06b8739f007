import { UserError } from '../../src/errors/user-error.js';
import { reportFailure } from '../../src/errors/top-level.js';

function report(error: unknown, env: NodeJS.ProcessEnv = {}): { code: number; text: string } {
  let text = '';
  const code = reportFailure(error, env, (t) => {
    text += t;
  });
  return { code, text };
}

describe('reportFailure', () => {
  it('a UserError: its message and its exit code', () => {
    expect(report(new UserError('tasks/x.md: task file not found.', 3))).toEqual({
      code: 3,
      text: 'claude-project: tasks/x.md: task file not found.\n',
    });
  });

  it('a filesystem error: the path, the meaning, what to do; exit 2', () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/srv/state/x.json'"), {
      code: 'EACCES',
      syscall: 'open',
      path: '/srv/state/x.json',
    });
    const { code, text } = report(error);
    expect(code).toBe(2);
    expect(text).toBe(
      'claude-project: /srv/state/x.json: cannot open it: permission denied (EACCES). To go on: give your user permission to it (to read it, and to write it where claude-project writes), or choose another path.\n',
    );
  });

  it('anything else: one line without the stack, saying where the stack can be seen; exit 1', () => {
    const { code, text } = report(new TypeError('boom'));
    expect(code).toBe(1);
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(text).toMatch(/^claude-project: unexpected error: boom \(.*DEBUG=1.*\)\n$/);
  });

  it('anything else with DEBUG set: the stack follows on stderr', () => {
    const error = new TypeError('boom');
    const { code, text } = report(error, { DEBUG: '1' });
    expect(code).toBe(1);
    expect(text).toContain('claude-project: unexpected error: boom\n');
    expect(text).toContain(error.stack!);
  });
});
