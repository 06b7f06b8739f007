import { Project, cleanup, config } from './helpers.js';

afterAll(cleanup);

/**
 * Every flag that takes a value refuses a bad one where it is declared: exit 2, one line naming
 * the flag and quoting the value (no stack), nothing run and nothing written.
 */
describe('bad flag values: exit 2 before anything runs', () => {
  let project: Project;
  let before: Record<string, string>;
  beforeAll(async () => {
    project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }]),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [] },
    });
    before = await project.snapshot();
  });

  const cases: Array<[string[], string]> = [
    [['run', 'tasks/t.md', '--max-usd', 'ten'], '--max-usd "ten": expected a positive number of US dollars, such as 2 or 0.5.'],
    [['run', 'tasks/t.md', '--max-usd', '0x10'], '--max-usd "0x10": expected a positive number of US dollars, such as 2 or 0.5.'],
    [['sequence', 'tasks', '--max-usd', '-1'], '--max-usd "-1": expected a positive number of US dollars, such as 2 or 0.5.'],
    [['sequence', 'tasks', '--shard', '3/2'], '--shard "3/2": expected <i>/<n> with 1 ≤ i ≤ n, for example --shard 2/3.'],
    [['reconcile', '--wait', '--timeout', 'soon'], '--timeout "soon": expected a positive number of minutes, such as 2 or 0.5.'],
    [['reconcile', '--report', ' '], '--report " ": expected a path.'],
    [['status', '--config', ''], '--config "": expected a path.'],
    [['run', 'tasks/t.md', '--config', ''], '--config "": expected a path.'],
    [['report', '--html', ''], '--html "": expected a path.'],
    [['merge', 'a', '--into', ''], '--into "": expected a path.'],
    // a second value would silently replace the first
    [['run', 'tasks/t.md', '--max-usd', '5', '--max-usd', '50'], '--max-usd "50": given a second time (first "5"); give it once.'],
    [['sequence', 'tasks', '--shard', '1/2', '--shard', '2/2'], '--shard "2/2": given a second time (first "1/2"); give it once.'],
    [['status', '--config', 'a.yaml', '--config', 'b.yaml'], '--config "b.yaml": given a second time (first "a.yaml"); give it once.'],
    [['reconcile', '--report', 'a.md', '--report', 'b.md'], '--report "b.md": given a second time (first "a.md"); give it once.'],
    [['reconcile', '--wait', '--timeout', '1', '--timeout', '2'], '--timeout "2": given a second time (first "1"); give it once.'],
    [['report', '--html', 'a.html', '--html', 'b.html'], '--html "b.html": given a second time (first "a.html"); give it once.'],
    [['merge', 'a', '--into', 'x', '--into', 'y'], '--into "y": given a second time (first "x"); give it once.'],
    // an empty argument names no file: it was taken as the current folder, or named as ": no such task"
    [['run', ''], 'the task file "": expected a path.'],
    [['sequence', ' '], 'the tasks folder " ": expected a path.'],
    [['status', ''], 'the task file or folder "": expected a path.'],
    [['recount', ''], 'the task file or folder "": expected a path.'],
    [['merge', '', '--into', 'x'], 'a state folder "": expected a path.'],
    [['init', ''], 'the project folder "": expected a path.'],
  ];
  it.each(cases)('%j', async (args, message) => {
    const res = await project.run(args);
    expect(res.exitCode).toBe(2);
    expect(res.stderr.split('\n')[0]).toBe(`claude-project: ${message}`);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stdout).toBe('');
    expect(await project.calls()).toEqual([]);
    expect(await project.snapshot()).toEqual(before);
  });
});
