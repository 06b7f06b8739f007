#!/usr/bin/env node
// A stand-in for the `claude` executable in integration tests: replays stream-json scripted by a
// scenario file, one "attempt" per invocation, and records how it was called.
//
// FAKE_CLAUDE_SCENARIO: JSON file {"attempts": [Attempt, ...]}; the last attempt repeats.
//   Attempt: {
//     "fixture"?: "path.jsonl"   raw lines to print (relative to the scenario file),
//     "lines"?: [object | string] lines to print (objects as JSON, strings as they are),
//     "exitCode"?: 0, "stderr"?: "text", "chunkDelayMs"?: 0,
//     "hang"?: true               after printing, never exit (until killed),
//     "writeFiles"?: {"PLAN.md": "text"}   files to create in the working directory,
//     "transcript"?: {"sessionId"?: "...", "lines": [object]}  a session transcript to write
//                                 (sessionId defaults to the --session-id argument, if given)
//     "honourSessionId"?: true    as the real CLI does with `--session-id <uuid>`: every printed
//                                 object line that has a `session_id` gets that id, and the
//                                 session's transcript (see "$bill") is written under it
//     "lineEnd"?: "\n"            what ends each printed line (e.g. "\r\n")
//     "ignoreSigterm"?: true      SIGTERM is recorded (FAKE_CLAUDE_RECORD/signals.jsonl) and
//                                 ignored: only SIGKILL stops this call
//     "daemonHoldingStderr"?: true  leaves a process in a session of its own (outside claude's
//                                 group) holding claude's stderr; its pid in FAKE_CLAUDE_RECORD/daemon.pid
//   }
//   A line may also be a directive object with one `$` key instead of a stream line:
//     {"$bill": {"id", "model", "usage": {input_tokens, ...}, "requestId"?, "agent"?, "entries"?}}
//         The API "bills" a finished message, as the real CLI sees it: its entry (final usage,
//         output included) is appended to the session transcript — `<session>.jsonl`, or
//         `<session>/subagents/<agent>.jsonl` for a subagent — `entries` times (one per content
//         block, default 1), and what was billed is appended to FAKE_CLAUDE_RECORD/billed.jsonl
//         in the same synchronous step. Nothing is billed without its transcript entry and the
//         other way round: a kill (SIGTERM, or a closed stdout) cannot fall between the two.
//     {"$write": ["<base64>", ...], "delayMs"?: 0}   raw bytes, each piece a separate write
//         (no line end added): random bytes, UTF-8 split across writes, a last line without "\n".
//     {"$bigUser": {"bytes": N, "toolUseId"?: "..."}} a tool-result `user` line of N bytes (plus
//         the line end), written 1 MB at a time.
//     {"$sleep": ms}              (timing only: a test must not decide anything on it; prefer:)
//     {"$waitFor": "file"}        wait until the file exists (relative to the scenario file's
//                                 folder), after creating FAKE_CLAUDE_RECORD/waiting/<call>: a
//                                 gate the test opens when it is ready (e.g. a racer has started)
//     {"$waitForLog": "text"}     wait until the readable step log of the task and step this call
//                                 serves (default logsPath) holds the text: claude-project has
//                                 read and handled what came before (e.g. it stops claude first)
//     {"$park": true}             create FAKE_CLAUDE_RECORD/parked/<call>, then wait until stopped:
//                                 the test kills at exactly this point of the stream
// FAKE_CLAUDE_RECORD: folder; each call appends {argv, stdin, cwd, attempt, pid, task, step,
//   anthropicVariables} to calls.jsonl (task and step: CLAUDE_PROJECT_TASK_PATH and
//   CLAUDE_PROJECT_STEP_NAME, which claude-project sets for claude, so a call is known even if its
//   prompt was cut by a kill; anthropicVariables: the names of the ANTHROPIC_* variables it got).
//   Calls are numbered atomically (one exclusive file per call under calls.d/, which holds the
//   same record minus stdin as soon as the call starts), so concurrent fakes sharing the folder
//   each get their own number.
// CommonJS, not an ES module: Node starts it about 15 ms of CPU sooner, and the suite starts it
// some 400 times (node:crypto, 10 ms more, is loaded only by the call that needs it).
const {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} = require('node:fs');
const path = require('node:path');

const scenarioFile = process.env.FAKE_CLAUDE_SCENARIO;
const recordDir = process.env.FAKE_CLAUDE_RECORD;
if (!scenarioFile || !recordDir) {
  process.stderr.write('fake-claude: set FAKE_CLAUDE_SCENARIO and FAKE_CLAUDE_RECORD\n');
  process.exit(64);
}

// Stopped like the real CLI: at once, but never between two synchronous steps (a JS handler runs
// between event-loop turns, the default action would not wait for that).
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'])
  process.on(signal, () => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15)));
// Whoever read our stdout is gone (claude-project was killed): stop, as the real CLI would.
process.stdout.on('error', () => process.exit(141));

const scenario = JSON.parse(readFileSync(scenarioFile, 'utf8'));
mkdirSync(path.join(recordDir, 'calls.d'), { recursive: true });
const served = {
  task: process.env.CLAUDE_PROJECT_TASK_PATH ?? null,
  step: process.env.CLAUDE_PROJECT_STEP_NAME ?? null,
  anthropicVariables: Object.keys(process.env)
    .filter((name) => name.startsWith('ANTHROPIC_'))
    .sort(),
};
let count = 0;
for (;;) {
  try {
    const fd = openSync(path.join(recordDir, 'calls.d', String(count + 1)), 'wx');
    writeSync(fd, JSON.stringify({ attempt: count + 1, argv: process.argv.slice(2), pid: process.pid, ...served }));
    closeSync(fd);
    break;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    count++;
  }
}
writeFileSync(path.join(recordDir, 'count'), String(count + 1));
const attempt = scenario.attempts[Math.min(count, scenario.attempts.length - 1)];
if (attempt.ignoreSigterm) {
  process.removeAllListeners('SIGTERM');
  process.on('SIGTERM', () =>
    appendFileSync(
      path.join(recordDir, 'signals.jsonl'),
      `${JSON.stringify({ call: count + 1, pid: process.pid, signal: 'SIGTERM', ignored: true })}\n`,
    ),
  );
}

/** The call itself: reads the prompt, records it, then plays the attempt. */
async function serve() {
  const stdin = await new Promise((resolve) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  appendFileSync(
    path.join(recordDir, 'calls.jsonl'),
    `${JSON.stringify({ attempt: count + 1, argv: process.argv.slice(2), stdin, cwd: process.cwd(), pid: process.pid, ...served })}\n`,
  );

  const argIndex = process.argv.indexOf('--session-id');
  const argSessionId = argIndex === -1 ? undefined : process.argv[argIndex + 1];
  const configDir = process.env.CLAUDE_CONFIG_DIR || path.join(process.env.HOME, '.claude');
  const transcriptDir = path.join(configDir, 'projects', process.cwd().replace(/[^a-zA-Z0-9]/g, '-'));
  const sessionId = attempt.honourSessionId ? argSessionId : (attempt.transcript?.sessionId ?? argSessionId);

  for (const [file, text] of Object.entries(attempt.writeFiles ?? {})) writeFileSync(path.resolve(file), text);
  if (attempt.transcript) {
    mkdirSync(transcriptDir, { recursive: true });
    const text = attempt.transcript.lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    const id = attempt.honourSessionId ? argSessionId : (attempt.transcript.sessionId ?? argSessionId);
    if (!id) {
      process.stderr.write('fake-claude: transcript without sessionId, and no --session-id argument\n');
      process.exit(64);
    }
    writeFileSync(path.join(transcriptDir, `${id}.jsonl`), text);
  }

  const lines = [];
  if (attempt.fixture) {
    const text = readFileSync(path.resolve(path.dirname(scenarioFile), attempt.fixture), 'utf8');
    lines.push(...text.split('\n').filter((l) => l.length > 0));
  }
  lines.push(...(attempt.lines ?? []));

  const write = (data) => new Promise((resolve) => (process.stdout.write(data) ? resolve() : process.stdout.once('drain', resolve)));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const delay = attempt.chunkDelayMs ?? 0;
  const lineEnd = attempt.lineEnd ?? '\n';

  /** Marks `record/<folder>/<call>` (the test waits for it). */
  function mark(folder) {
    mkdirSync(path.join(recordDir, folder), { recursive: true });
    writeFileSync(path.join(recordDir, folder, String(count + 1)), String(process.pid));
  }

  async function waitForFile(file) {
    const target = path.resolve(path.dirname(scenarioFile), file);
    mark('waiting');
    while (!existsSync(target)) await sleep(20);
  }

  async function waitForLog(text) {
    const { taskFileName } = require('../support/task-file-name.cjs');
    const dir = path.join(process.cwd(), '.claude-project', 'logs', taskFileName(served.task ?? ''));
    const suffix = `-${served.step}.log`;
    const holds = () =>
      existsSync(dir) &&
      readdirSync(dir).some((name) => name.endsWith(suffix) && readFileSync(path.join(dir, name), 'utf8').includes(text));
    mark('waiting');
    while (!holds()) await sleep(20);
    // A stop claude-project decided on before writing the text was sent before it too: let the
    // event loop's poll phase run its handler before this call goes on.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }

  async function park() {
    mark('parked');
    await new Promise(() => setInterval(() => {}, 1 << 30));
  }

  function bill(b) {
    if (!sessionId) {
      process.stderr.write('fake-claude: $bill needs a session: --session-id with honourSessionId, or transcript.sessionId\n');
      process.exit(64);
    }
    const dir = b.agent ? path.join(transcriptDir, sessionId, 'subagents') : transcriptDir;
    const file = path.join(dir, b.agent ? `${b.agent}.jsonl` : `${sessionId}.jsonl`);
    const entry = {
      type: 'assistant',
      sessionId,
      requestId: b.requestId ?? `req_${b.id}`,
      ...(b.agent && { isSidechain: true, agentId: b.agent }),
      message: {
        id: b.id,
        type: 'message',
        role: 'assistant',
        model: b.model,
        content: [{ type: 'text', text: `${b.id}` }],
        usage: b.usage,
      },
      uuid: `tr-${b.id}`,
    };
    const text = `${JSON.stringify(entry)}\n`.repeat(b.entries ?? 1);
    const record = `${JSON.stringify({ call: count + 1, pid: process.pid, sessionId, id: b.id, model: b.model, agent: b.agent ?? null, usage: b.usage })}\n`;
    // one synchronous step: the transcript entry and the record of what was billed
    mkdirSync(dir, { recursive: true });
    appendFileSync(file, text);
    appendFileSync(path.join(recordDir, 'billed.jsonl'), record);
  }

  async function bigUser({ bytes, toolUseId = 'toolu_big' }) {
    const head = Buffer.from(
      `{"type":"user","message":{"role":"user","content":[{"tool_use_id":"${toolUseId}","type":"tool_result","content":"`,
    );
    const tail = Buffer.from(
      `","is_error":false}]},"parent_tool_use_id":null,"session_id":"${sessionId ?? 'sess'}","uuid":"uuid-big"}${lineEnd}`,
    );
    let left = bytes - head.length - tail.length + lineEnd.length;
    await write(head);
    const block = Buffer.alloc(1 << 20, 'x');
    while (left > 0) {
      const n = Math.min(left, block.length);
      await write(block.subarray(0, n));
      left -= n;
    }
    await write(tail);
  }

  for (const line of lines) {
    if (typeof line === 'object' && line !== null && Object.keys(line).some((k) => k.startsWith('$'))) {
      if (line.$bill) bill(line.$bill);
      else if (line.$write) {
        for (const [i, piece] of line.$write.entries()) {
          if (i > 0 && line.delayMs) await sleep(line.delayMs);
          await write(Buffer.from(piece, 'base64'));
        }
      } else if (line.$bigUser) await bigUser(line.$bigUser);
      else if (line.$sleep !== undefined) await sleep(line.$sleep);
      else if (line.$waitFor !== undefined) await waitForFile(line.$waitFor);
      else if (line.$waitForLog !== undefined) await waitForLog(line.$waitForLog);
      else if (line.$park) await park();
      continue;
    }
    let out = line;
    if (typeof line !== 'string') {
      out = attempt.honourSessionId && argSessionId && 'session_id' in line ? { ...line, session_id: argSessionId } : line;
      out = JSON.stringify(out);
    }
    await write(`${out}${lineEnd}`);
    if (delay) await sleep(delay);
  }
  if (attempt.stderr) process.stderr.write(attempt.stderr);
  if (attempt.daemonHoldingStderr) {
    const daemon = require('node:child_process').spawn('sleep', ['600'], { detached: true, stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(path.join(recordDir, 'daemon.pid'), String(daemon.pid));
    daemon.unref();
  }
  if (attempt.hang) {
    setInterval(() => {}, 1 << 30);
  } else {
    process.exitCode = attempt.exitCode ?? 0;
  }
}

serve();
