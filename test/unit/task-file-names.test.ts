import path from 'node:path';
import { taskFileName, taskFiles } from '../../src/state/task-files.js';

const bytes = (name: string): number => Buffer.byteLength(name);

/** Every name the tool makes from a task state's name, with the longest values their parts can take. */
function derivedNames(name: string): string[] {
  const state = `${name}.state.json`;
  return [
    state,
    `${state}.lock`,
    `${state}.run.lock`,
    `${state}.run.owner.4194304.json`,
    `${state}.4194304.abcdef12.tmp`,
    `${state}.corrupt-2026-12-31T23-59-59-999Z`,
    `${state}.restarted-2026-12-31T23-59-59-999Z`,
    `${state}.previous-2026-12-31T23-59-59-999Z`,
    `${name}.restarted-2026-12-31T23-59-59-999Z`,
  ];
}

describe('task state names stay within 255 bytes whatever the task file name', () => {
  it.each([
    ['255 ASCII bytes', `${'a'.repeat(252)}.md`],
    ['multi-byte characters', `${'é'.repeat(126)}.md`],
    ['ASCII then CJK', `${'b'.repeat(160)}${'日'.repeat(30)}.md`],
    ['dashes and letters', `${'a-'.repeat(126)}.md`],
  ])('%s', (_, file) => {
    expect(bytes(file)).toBeLessThanOrEqual(255);
    const name = taskFileName(`tasks/${file}`);
    expect(name).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?-[0-9a-f]{8}$|^task-[0-9a-f]{8}$/);
    for (const derived of derivedNames(name)) expect({ derived, fits: bytes(derived) <= 255 }).toEqual({ derived, fits: true });
  });

  it('two long names that differ only past the cut get different state files', () => {
    const a = taskFileName(`tasks/${'a'.repeat(240)}1.md`);
    const b = taskFileName(`tasks/${'a'.repeat(240)}2.md`);
    expect(a).not.toBe(b);
    expect(a.slice(0, -8)).toBe(b.slice(0, -8));
  });

  it('a name whose earlier-version state could not have existed has no legacy name to look up', () => {
    const files = taskFiles({ rootDir: '/p', statePath: '/p/s', logsPath: '/p/l' }, path.join('/p/tasks', `${'a'.repeat(247)}.md`));
    expect(files.legacy).toBeUndefined();
    for (const derived of derivedNames(files.name)) expect(bytes(derived)).toBeLessThanOrEqual(255);
  });
});
