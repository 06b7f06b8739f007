import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  FAKE_CLAUDE,
  HAIKU,
  OPUS,
  Project,
  SONNET,
  assistant,
  attemptSection,
  billed,
  cleanup,
  config,
  expectFooter,
  expectUsage,
  fromModelUsage,
  init,
  lastFooter,
  naiveSnapshotSum,
  printed,
  priced,
  result,
  snapshot,
  sumUsage,
  toolResult,
  toolUse,
  type ApiUsage,
  type StreamLine,
  hangTimeoutSeconds,
} from './helpers.js';

afterAll(cleanup);

const oneStep = () => config([{ name: 'work', prompt: 'Work on {{taskPath}}' }]);

describe('no result line: the stream estimate', () => {
  it.concurrent('counts one snapshot per message id (not one per repeated event) and says source: estimate', async () => {
    const m1 = snapshot(100, 200, 300);
    const m2 = snapshot(50, 0, 400);
    const lines: StreamLine[] = [
      init('sess-est'),
      ...assistant({
        id: 'msg_e1',
        model: SONNET,
        usage: m1,
        blocks: [{ type: 'text', text: 'hi' }, toolUse('toolu_e', 'Bash', { command: 'ls' }), { type: 'text', text: 'more' }],
      }),
      toolResult('toolu_e', 'a\nb\n'),
      ...assistant({ id: 'msg_e2', model: SONNET, usage: m2, blocks: 2 }),
    ];
    const project = await Project.create({
      config: oneStep(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [{ lines, exitCode: 1 }] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(1);
    const state = await project.taskState('t');
    const attempt = state.steps[0].attempts[0];
    expect(attempt.usageSource).toBe('estimate');
    expect(state.steps[0].usageSource).toBe('estimate');
    const expected = sumUsage(priced(SONNET, m1), priced(SONNET, m2));
    expectUsage(attempt.usage, expected);
    expectUsage(state.tokenUsage, expected);
    expect(naiveSnapshotSum(lines)[SONNET]!.inputTokens).toBe(3 * 100 + 2 * 50); // what a naive sum would say
    const { log } = await project.stepLogs('t', 0, 'work');
    expectFooter(log, expected, 'estimate');
    expect(attempt.error ?? state.steps[0].error).toMatch(/without a result/);
  });
});

describe('no result line: other cases', () => {
  it.concurrent('claude exits 0 without a result: the step fails, and the error does not claim an error result arrived', async () => {
    const m1 = snapshot(60);
    const lines = [init('sess-0'), ...assistant({ id: 'msg_z', model: SONNET, usage: m1, blocks: 2 })];
    const project = await Project.create({
      config: oneStep(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [{ lines, exitCode: 0 }] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(1);
    const step = (await project.taskState('t')).steps[0];
    expect(step.status).toBe('failed');
    expectUsage(step.usage, priced(SONNET, m1));
    expect(step.error).toMatch(/without a result/);
    expect(step.error).not.toMatch(/reported an error result/);
  });

  it.concurrent("--fallback-model: the estimate is keyed by each message's model, not the step's", async () => {
    const m1 = snapshot(80, 10, 20);
    const lines = [init('sess-fb', OPUS), ...assistant({ id: 'msg_fb', model: SONNET, usage: m1, blocks: 3 })];
    const project = await Project.create({
      config: config([{ name: 'work', model: OPUS, prompt: 'Work' }], {
        claude: { command: FAKE_CLAUDE, args: ['--fallback-model', SONNET] },
      }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [{ lines, exitCode: 1 }] },
    });
    await project.run(['run', 'tasks/t.md']);
    const step = (await project.taskState('t')).steps[0];
    expect(step.model).toBe(OPUS);
    expect(step.attempts[0].usageSource).toBe('estimate');
    expectUsage(step.usage, priced(SONNET, m1));
  });
});

describe('no usable result: the session transcript', () => {
  // Claude Code's transcript: one entry per content block too (same message id + requestId),
  // each with the finished message's final usage, output included.
  const final1: ApiUsage = { input_tokens: 10, output_tokens: 46, cache_creation_input_tokens: 1_000, cache_read_input_tokens: 0 };
  const final2: ApiUsage = { input_tokens: 5, output_tokens: 120, cache_creation_input_tokens: 0, cache_read_input_tokens: 1_000 };
  const subFinal: ApiUsage = { input_tokens: 2_000, output_tokens: 300, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const entry = (sessionId: string, id: string, requestId: string, model: string, usage: ApiUsage, text: string) => ({
    parentUuid: null,
    isSidechain: false,
    userType: 'external',
    sessionId,
    version: '2.1.197',
    type: 'assistant',
    message: { id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text }], stop_reason: 'end_turn', usage },
    requestId,
    uuid: `u-${id}-${text}`,
    timestamp: '2026-01-01T00:00:00.000Z',
  });
  const transcriptLines = (sessionId: string) => [
    { type: 'user', sessionId, message: { role: 'user', content: 'Work on tasks/t.md' }, uuid: 'u0' },
    entry(sessionId, 'msg_t1', 'req_1', SONNET, final1, 'a'),
    entry(sessionId, 'msg_t1', 'req_1', SONNET, final1, 'b'),
    entry(sessionId, 'msg_t2', 'req_2', SONNET, final2, 'c'),
    // A message Claude Code made up itself: no model, no row.
    entry(
      sessionId,
      'msg_syn',
      'req_3',
      '<synthetic>',
      { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      'limit',
    ),
  ];
  const streamStart = (sessionId: string): StreamLine[] => [
    init(sessionId),
    // The stream only saw the start snapshot: output 1.
    ...assistant({ id: 'msg_t1', model: SONNET, usage: snapshot(10, 1_000, 0), blocks: 2 }),
  ];
  const expected = sumUsage(priced(SONNET, final1), priced(SONNET, final2));

  async function writeSubagentTranscript(configDir: string, project: Project, sessionId: string): Promise<void> {
    const dir = path.join(configDir, 'projects', project.dir.replace(/[^a-zA-Z0-9]/g, '-'), sessionId, 'subagents');
    await mkdir(dir, { recursive: true });
    const lines = [
      entry(sessionId, 'msg_sub1', 'req_s1', HAIKU, subFinal, 'x'),
      entry(sessionId, 'msg_sub1', 'req_s1', HAIKU, subFinal, 'y'),
    ];
    await writeFile(path.join(dir, 'agent-a1b2c3.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  }

  it.concurrent('claude dies without a result: usage from ~/.claude/projects/<cwd>/<session>.jsonl (+ subagents), source: transcript', async () => {
    const project = await Project.create({
      config: oneStep(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [{ lines: streamStart('sess-tr'), exitCode: 1, transcript: { sessionId: 'sess-tr', lines: transcriptLines('sess-tr') } }],
      },
    });
    await writeSubagentTranscript(path.join(project.home, '.claude'), project, 'sess-tr');
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(1);
    const state = await project.taskState('t');
    const attempt = state.steps[0].attempts[0];
    expect(attempt.usageSource).toBe('transcript');
    const withSub = sumUsage(expected, priced(HAIKU, subFinal));
    expectUsage(attempt.usage, withSub);
    expect(attempt.usage[SONNET].outputTokens).toBe(46 + 120);
    expectUsage(state.tokenUsage, withSub);
    const { log } = await project.stepLogs('t', 0, 'work');
    expectFooter(log, withSub, 'transcript');
    // Re-counting from the raw logs agrees with the state.
    const recount = await project.run(['recount']);
    expect(recount.stdout).toMatch(/0 difference/);
    expect(recount.exitCode).toBe(0);
  });

  it.concurrent('a result whose modelUsage is all zero (a crash) also falls back to the transcript', async () => {
    const lines = [
      ...streamStart('sess-zero'),
      result({ modelUsage: { [SONNET]: billed(0, 0, 0, 0, 0) }, isError: true, text: 'crashed', sessionId: 'sess-zero' }),
    ];
    const project = await Project.create({
      config: oneStep(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: { attempts: [{ lines, exitCode: 1, transcript: { sessionId: 'sess-zero', lines: transcriptLines('sess-zero') } }] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(1);
    const attempt = (await project.taskState('t')).steps[0].attempts[0];
    expect(attempt.usageSource).toBe('transcript');
    expectUsage(attempt.usage, expected);
  });

  it.concurrent('after a timeout kill: the final output count of the transcript, not the snapshot of the stream', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }], { timeoutSeconds: await hangTimeoutSeconds() }),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [{ lines: streamStart('sess-to'), hang: true, transcript: { sessionId: 'sess-to', lines: transcriptLines('sess-to') } }],
      },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(1);
    const attempt = (await project.taskState('t')).steps[0].attempts[0];
    expect(attempt.outcome).toBe('timeout');
    expect(attempt.usageSource).toBe('transcript');
    expectUsage(attempt.usage, expected);
    const { log } = await project.stepLogs('t', 0, 'work');
    expectFooter(log, expected, 'transcript');
  });

  it.concurrent('a call killed before its init line: the transcript is found by the --session-id claude-project chose', async () => {
    const project = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }], { timeoutSeconds: await hangTimeoutSeconds() }),
      tasks: { 'tasks/t.md': 'x\n' },
      // Nothing reaches stdout; the fake writes its transcript under the --session-id it was given.
      scenario: { attempts: [{ lines: [], hang: true, transcript: { lines: transcriptLines('(argv)') } }] },
    });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(1);
    const [call] = await project.calls();
    expect(call!.argv).toContain('--session-id');
    const attempt = (await project.taskState('t')).steps[0].attempts[0];
    expect(attempt.outcome).toBe('timeout');
    expect(attempt.usageSource).toBe('transcript');
    expectUsage(attempt.usage, expected);
  });

  it.concurrent('honours CLAUDE_CONFIG_DIR for the transcript', async () => {
    const project = await Project.create({
      config: oneStep(),
      tasks: { 'tasks/t.md': 'x\n' },
      scenario: {
        attempts: [
          { lines: streamStart('sess-cfg'), exitCode: 1, transcript: { sessionId: 'sess-cfg', lines: transcriptLines('sess-cfg') } },
        ],
      },
    });
    const configDir = path.join(project.base, 'claude-config');
    const run = await project.run(['run', 'tasks/t.md'], { env: { CLAUDE_CONFIG_DIR: configDir } });
    expect(run.exitCode).toBe(1);
    const attempt = (await project.taskState('t')).steps[0].attempts[0];
    expect(attempt.usageSource).toBe('transcript');
    expectUsage(attempt.usage, expected);
  });
});

describe('garbage in the stream', () => {
  it.concurrent('malformed lines are not fatal: counted per attempt, in the footer, and the usage is still right', async () => {
    const modelUsage = { [SONNET]: billed(3_000, 400, 1_000, 9_000, 0.0222) };
    const bigOutput = 'z'.repeat(1_500_000); // a tool result line of megabytes is fine, not malformed
    const garbage = [
      'this is not json at all',
      '{"type":"assistant","message":{"id":"msg_trunc","model":"claude-sonnet-4-5","usage":{"input_tok',
      '[1,2,3]',
      '{"no_type_here":true}',
    ];
    const lines: StreamLine[] = [
      init('sess-g'),
      garbage[0]!,
      ...assistant({ id: 'msg_g1', model: SONNET, usage: snapshot(30), blocks: [toolUse('toolu_big', 'Bash', { command: 'cat big' })] }),
      garbage[1]!,
      toolResult('toolu_big', bigOutput),
      garbage[2]!,
      ...assistant({ id: 'msg_g2', model: SONNET, usage: snapshot(40), blocks: 2 }),
      garbage[3]!,
      result({ modelUsage }),
    ];
    const project = await Project.create({ config: oneStep(), tasks: { 'tasks/t.md': 'x\n' }, scenario: { attempts: [{ lines }] } });
    const run = await project.run(['run', 'tasks/t.md']);
    expect(run.exitCode).toBe(0);
    const state = await project.taskState('t');
    expect(state.phase).toBe('done');
    expect(state.steps[0].attempts[0].malformedLines).toBe(garbage.length);
    expect(state.malformedLines).toBe(garbage.length);
    expectUsage(state.tokenUsage, fromModelUsage(modelUsage));
    expect(state.steps[0].usageSource).toBe('result');
    const { log, jsonl } = await project.stepLogs('t', 0, 'work');
    const footer = expectFooter(log, fromModelUsage(modelUsage), 'result');
    expect(footer).toContain(`malformed lines: ${garbage.length}`);
    // The raw log keeps every byte, garbage included.
    expect(attemptSection(jsonl, 1)).toEqual(printed(lines));
    // The readable log does not copy a megabyte tool result.
    expect(log.length).toBeLessThan(100_000);
    expect(lastFooter(log)).not.toContain('malformed lines: 0');
  });
});
