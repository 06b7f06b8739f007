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
  markers,
  naiveSnapshotSum,
  printed,
  result,
  snapshot,
  sumUsage,
  toolResult,
  toolUse,
  totalOf,
  formatCount,
  type StreamLine,
  type TokenUsage,
  knownCost,
  usd,
} from './helpers.js';

afterAll(cleanup);

const TASK_TEXT = 'Add a login form.\nUse OAuth with {{braces}} kept as they are.\n';

describe('run: a two-step pipeline on two models', () => {
  // plan runs on opus (the step's own model), implement on the top-level model (sonnet).
  const planBilled = { [OPUS]: billed(2_000, 850, 3_000, 12_000, 0.4321) };
  const implementBilled = { [SONNET]: billed(1_500, 2_400, 500, 30_000, 0.0987) };
  const planLines: StreamLine[] = [
    init('sess-plan', OPUS),
    // One message, three content blocks: the same message.id and usage three times.
    ...assistant({
      id: 'msg_plan_1',
      model: OPUS,
      usage: snapshot(3, 3_000, 0),
      blocks: [
        { type: 'thinking', thinking: 'Let me read the task.', signature: 'sig' },
        { type: 'text', text: 'I will read the task first.' },
        toolUse('toolu_1', 'Read', { file_path: 'tasks/add-login.md' }),
      ],
    }),
    toolResult('toolu_1', TASK_TEXT),
    ...assistant({ id: 'msg_plan_2', model: OPUS, usage: snapshot(5, 0, 3_000), blocks: 2 }),
    result({ modelUsage: planBilled, text: 'PLAN.md written.' }),
  ];
  const implementLines: StreamLine[] = [
    init('sess-impl', SONNET),
    ...assistant({ id: 'msg_impl_1', model: SONNET, usage: snapshot(7, 500, 1_000), blocks: 4 }),
    result({ modelUsage: implementBilled, text: 'Implemented.' }),
  ];
  let project: Project;
  let run: Awaited<ReturnType<Project['run']>>;

  beforeAll(async () => {
    project = await Project.create({
      config: config(
        [
          { name: 'plan', model: OPUS, prompt: 'Plan {{taskName}} from {{taskPath}} in step {{stepName}}.' },
          { name: 'implement', prompt: 'Implement this:\n{{ taskContent }}\n(end of task)' },
        ],
        { claude: { command: FAKE_CLAUDE, args: ['--allowedTools', 'Bash,Read,Edit'] } },
      ),
      tasks: { 'tasks/add-login.md': TASK_TEXT },
      scenario: { attempts: [{ lines: planLines }, { lines: implementLines }] },
    });
    run = await project.run(['run', 'tasks/add-login.md']);
  });

  it('exits 0 and calls claude once per step', async () => {
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(run.exitCode).toBe(0);
    expect(await project.calls()).toHaveLength(2);
  });

  it('keeps per step per model exactly what result.modelUsage billed, not the sum of snapshots', async () => {
    const state = await project.taskState('add-login');
    expect(state.phase).toBe('done');
    expect(state.steps.map((s: { name: string }) => s.name)).toEqual(['plan', 'implement']);
    const [plan, implement] = state.steps;
    expect(plan.status).toBe('done');
    expect(plan.model).toBe(OPUS);
    expect(implement.model).toBe(SONNET);
    expect(plan.attempts).toHaveLength(1);
    expect(implement.attempts).toHaveLength(1);
    expectUsage(plan.usage, fromModelUsage(planBilled));
    expectUsage(plan.attempts[0].usage, fromModelUsage(planBilled));
    expectUsage(implement.usage, fromModelUsage(implementBilled));
    expect(plan.usageSource).toBe('result');
    expect(implement.usageSource).toBe('result');
    expect(plan.attempts[0].usageSource).toBe('result');
    // Guard against a scenario where "sum of snapshots" would happen to equal the result.
    expect(naiveSnapshotSum(planLines)[OPUS]!.inputTokens).not.toBe(planBilled[OPUS]!.inputTokens);
    expect(plan.usage[OPUS].inputTokens).not.toBe(naiveSnapshotSum(planLines)[OPUS]!.inputTokens);
  });

  it('task tokenUsage is the sum of its steps, totalCostUsd the sum of costs', async () => {
    const state = await project.taskState('add-login');
    const expected = sumUsage(fromModelUsage(planBilled), fromModelUsage(implementBilled));
    expectUsage(state.tokenUsage, expected);
    expect(state.totalCostUsd).toBeCloseTo(knownCost(totalOf(expected).costUsd), 9);
  });

  it('ends each .log with the Token Usage footer: per-model lines and total (source: result)', async () => {
    const plan = await project.stepLogs('add-login', 0, 'plan');
    const footer = expectFooter(plan.log, fromModelUsage(planBilled), 'result');
    expect(footer.join('\n')).toMatch(/outcome: .*done/);
    const implement = await project.stepLogs('add-login', 1, 'implement');
    expectFooter(implement.log, fromModelUsage(implementBilled), 'result');
    // The readable log shows the transcript, not just the footer.
    expect(plan.log).toContain('I will read the task first.');
    expect(plan.log).toContain('Read');
  });

  it('writes the raw stream to .jsonl between attempt_start and attempt_end markers', async () => {
    const { jsonl } = await project.stepLogs('add-login', 0, 'plan');
    expect(attemptSection(jsonl, 1)).toEqual(printed(planLines));
    const m = markers(jsonl);
    expect(m.map((x) => [x.event, x.attempt])).toEqual([
      ['attempt_start', 1],
      ['attempt_end', 1],
    ]);
    const { jsonl: implJsonl } = await project.stepLogs('add-login', 1, 'implement');
    expect(attemptSection(implJsonl, 1)).toEqual(printed(implementLines));
  });

  it('fills in the placeholders and appends the task text when {{taskContent}} is not used', async () => {
    const [planCall, implementCall] = await project.calls();
    expect(planCall!.stdin).toBe(`Plan add-login from tasks/add-login.md in step plan.\n\n${TASK_TEXT}`);
    // {{ taskContent }} used: the text appears once, where the template puts it.
    expect(implementCall!.stdin).toBe(`Implement this:\n${TASK_TEXT}\n(end of task)`);
  });

  it('calls claude with -p --output-format stream-json --verbose --model <model> --session-id <id> --include-partial-messages plus the config args, in the project folder', async () => {
    const calls = await project.calls();
    const starts = [
      markers((await project.stepLogs('add-login', 0, 'plan')).jsonl)[0]!,
      markers((await project.stepLogs('add-login', 1, 'implement')).jsonl)[0]!,
    ];
    for (const [index, model] of [OPUS, SONNET].entries()) {
      const argv = calls[index]!.argv;
      expect(argv.slice(0, 6)).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--model', model]);
      expect(argv.slice(-2)).toEqual(['--allowedTools', 'Bash,Read,Edit']);
      // In between: the session id claude-project chose (and recorded in the raw log), and partial messages.
      expect(argv.slice(6, -2)).toEqual(['--session-id', starts[index]!.sessionId, '--include-partial-messages']);
      expect(calls[index]!.cwd).toBe(project.dir);
    }
  });

  it('prints the per-model usage table on stdout', () => {
    expect(run.stdout).toMatch(/add-login: done/);
    const row = (label: string, u: TokenUsage): RegExp =>
      new RegExp(
        `${[label, u.inputTokens, u.outputTokens, u.cacheCreationInputTokens, u.cacheReadInputTokens]
          .map((v) => (typeof v === 'number' ? formatCount(v) : v))
          .join('\\s+')}\\s+${usd(u.costUsd).replace('$', '\\$').replace('.', '\\.')}`,
      );
    expect(run.stdout).toMatch(row(OPUS, fromModelUsage(planBilled)[OPUS]!));
    expect(run.stdout).toMatch(row(SONNET, fromModelUsage(implementBilled)[SONNET]!));
    expect(run.stdout).toMatch(row('total', totalOf(sumUsage(fromModelUsage(planBilled), fromModelUsage(implementBilled)))));
  });
});

describe('run: subagents', () => {
  it('counts every model of result.modelUsage under its own name', async () => {
    const modelUsage = {
      [SONNET]: billed(900, 1_100, 2_000, 40_000, 0.0712),
      [HAIKU]: billed(2_100, 310, 0, 0, 0.0037),
    };
    const lines: StreamLine[] = [
      init('sess-sub', SONNET),
      ...assistant({
        id: 'msg_main_1',
        model: SONNET,
        usage: snapshot(4, 2_000, 0),
        blocks: [toolUse('toolu_task', 'Task', { prompt: 'explore' })],
      }),
      // The subagent's messages: parent_tool_use_id set, another model.
      ...assistant({ id: 'msg_sub_1', model: HAIKU, usage: snapshot(1_000), blocks: 2, parentToolUseId: 'toolu_task' }),
      toolResult('toolu_sub_read', 'file contents', 'toolu_task'),
      ...assistant({ id: 'msg_sub_2', model: HAIKU, usage: snapshot(1_100), blocks: 1, parentToolUseId: 'toolu_task' }),
      toolResult('toolu_task', 'subagent report'),
      ...assistant({ id: 'msg_main_2', model: SONNET, usage: snapshot(6, 0, 2_000), blocks: 1 }),
      result({ modelUsage }),
    ];
    const project = await Project.create({
      config: config([{ name: 'explore', prompt: 'Explore {{taskPath}}' }]),
      tasks: { 'tasks/sub.md': 'Look around.\n' },
      scenario: { attempts: [{ lines }] },
    });
    const run = await project.run(['run', 'tasks/sub.md']);
    expect(run.exitCode).toBe(0);
    const state = await project.taskState('sub');
    const expected = fromModelUsage(modelUsage);
    expectUsage(state.steps[0].usage, expected);
    expectUsage(state.tokenUsage, expected);
    expect(state.totalCostUsd).toBeCloseTo(knownCost(totalOf(expected).costUsd), 9);
    const { log } = await project.stepLogs('sub', 0, 'explore');
    expectFooter(log, expected, 'result');
    expect(log).toMatch(new RegExp(`${HAIKU}.*subagent`));
  });
});
