/**
 * A 100 MB line: a tool result of 100 MB on one stream-json line, streamed by the
 * fake claude 1 MB at a time, read through the built CLI. No crash, exact usage, the raw log keeps
 * every byte, and claude-project's peak memory stays far below the line's size (nothing holds it).
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  Project,
  SONNET,
  assistant,
  billed,
  cleanup,
  config,
  expectFooter,
  fromModelUsage,
  expectUsage,
  init,
  result,
  snapshot,
  toolUse,
  type StreamLine,
} from './helpers.js';

afterAll(cleanup);

const LINE_BYTES = 100 * 1024 * 1024;
/**
 * Peak RSS allowed for claude-project. Node itself takes 45-90 MB here (the same with a 1 MB or a
 * 300 MB line); holding the 100 MB line once, on top of that, would pass this bound.
 */
const MAX_RSS_BYTES = 130 * 1024 * 1024;

/** Preloaded into the CLI: appends `<script> <peak RSS bytes>` to $MAXRSS_LOG when it exits. */
const PRELOAD = `
const { appendFileSync } = require('node:fs');
process.on('exit', () => {
  appendFileSync(process.env.MAXRSS_LOG, process.argv[1] + ' ' + process.resourceUsage().maxRSS * 1024 + '\\n');
});
`;

it('a 100 MB tool-result line: exact usage, no malformed line, raw log whole, memory bounded', async () => {
  const modelUsage = { [SONNET]: billed(5_000, 300, 2_000, 40_000, 0.0321) };
  const lines: StreamLine[] = [
    init('sess-big'),
    ...assistant({ id: 'msg_b1', model: SONNET, usage: snapshot(50), blocks: [toolUse('toolu_big', 'Bash', { command: 'cat huge.txt' })] }),
    { $bigUser: { bytes: LINE_BYTES, toolUseId: 'toolu_big' } },
    ...assistant({ id: 'msg_b2', model: SONNET, usage: snapshot(60), blocks: 2 }),
    result({ modelUsage }),
  ];
  const project = await Project.create({
    config: config([{ name: 'work', prompt: 'Go' }]),
    tasks: { 'tasks/t.md': 'x\n' },
    scenario: { attempts: [{ lines }] },
  });
  const preload = path.join(project.base, 'maxrss.cjs');
  const rssLog = path.join(project.base, 'maxrss.log');
  await writeFile(preload, PRELOAD);

  const run = await project.run(['run', 'tasks/t.md'], {
    env: { NODE_OPTIONS: `--require ${preload}`, MAXRSS_LOG: rssLog },
  });
  expect(run.stderr).not.toMatch(/unexpected error/);
  expect(run.exitCode).toBe(0);

  const state = await project.taskState('t');
  expect(state.phase).toBe('done');
  expect(state.malformedLines).toBe(0);
  expectUsage(state.tokenUsage, fromModelUsage(modelUsage));
  const base = project.stepLogBase('t', 0, 'work');
  expectFooter(await readFile(`${base}.log`, 'utf8'), fromModelUsage(modelUsage), 'result');
  expect((await stat(`${base}.log`)).size).toBeLessThan(100_000);
  expect((await stat(`${base}.jsonl`)).size).toBeGreaterThan(LINE_BYTES);

  // the raw log replays to the same numbers (recount streams the 100 MB line too)
  const recount = await project.run(['recount', 'tasks/t.md'], { env: { NODE_OPTIONS: `--require ${preload}`, MAXRSS_LOG: rssLog } });
  expect(recount.stdout).toContain('0 difference(s)');
  expect(recount.exitCode).toBe(0);

  const peaks = (await readFile(rssLog, 'utf8'))
    .split('\n')
    .filter((l) => l.includes('cli.js'))
    .map((l) => Number(l.split(' ').at(-1)));
  expect(peaks).toHaveLength(2);
  process.stdout.write(
    `100 MB line: claude-project peak RSS ${peaks.map((p) => `${(p / 1024 / 1024).toFixed(0)} MB`).join(' (run), ')} (recount)\n`,
  );
  for (const peak of peaks) expect(peak).toBeLessThan(MAX_RSS_BYTES);
});
