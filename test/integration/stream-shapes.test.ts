import {
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectFooter,
  expectUsage,
  fromModelUsage,
  init,
  result,
  snapshot,
  hangTimeoutSeconds,
} from './helpers.js';

afterAll(cleanup);

/** Valid JSON lines of a known type whose fields are of a shape nobody expects. */
const MISSHAPEN = [
  '{"type":"assistant","message":{"content":"hi"}}',
  '{"type":"assistant","message":{"content":[null]}}',
  '{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1e20}}',
  '{"type":"result","is_error":true,"errors":5}',
];

it.each([
  ['claude then ends', false],
  ['claude keeps running after them until the step times out', true],
])('stream lines of an unexpected shape are malformed lines, counted and logged, never fatal (%s)', async (_, hang) => {
  const usage = { [SONNET]: billed(900, 60, 0, 0, 0.0036) };
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'WORK', ...(hang && { timeoutSeconds: await hangTimeoutSeconds() }) }]),
    tasks: { 't.md': 'task' },
    scenario: {
      attempts: [
        {
          lines: [
            init('s1'),
            ...MISSHAPEN,
            ...assistant({ id: 'm1', model: SONNET, usage: snapshot(9), blocks: 1 }),
            ...(hang ? [] : [result({ modelUsage: usage })]),
          ],
          hang,
        },
      ],
    },
  });
  const out = await project.run(['run', 't.md', '--json']);
  expect(out.stderr).not.toMatch(/unexpected error|TypeError|RangeError|\n\s+at /);
  const state = await project.taskState('t');
  const { log } = await project.stepLogs('t', 0, 'work');
  expect(state.steps[0].attempts[0].malformedLines).toBe(MISSHAPEN.length);
  expect((log.match(/\[malformed line: \w+ event of an unexpected shape/g) ?? []).length).toBe(MISSHAPEN.length);
  if (hang) {
    expect(out.exitCode).toBe(1);
    expect(state.phase).toBe('failed');
    expect(state.steps[0].attempts[0].outcome).toBe('timeout');
  } else {
    expect(out.exitCode).toBe(0);
    expect(state.phase).toBe('done');
    expectUsage(state.tokenUsage, fromModelUsage(usage));
    expectFooter(log, fromModelUsage(usage), 'result');
  }
  expect(JSON.parse(out.stdout)).toMatchObject({ command: 'run', phase: state.phase, exitCode: out.exitCode });
});
