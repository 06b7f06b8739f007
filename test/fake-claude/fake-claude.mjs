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
//     "transcript"?: {"sessionId": "...", "lines": [object]}  a session transcript to write
//   }
// FAKE_CLAUDE_RECORD: folder; each call appends {argv, stdin, cwd, attempt} to calls.jsonl.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const scenarioFile = process.env.FAKE_CLAUDE_SCENARIO;
const recordDir = process.env.FAKE_CLAUDE_RECORD;
if (!scenarioFile || !recordDir) {
  process.stderr.write('fake-claude: set FAKE_CLAUDE_SCENARIO and FAKE_CLAUDE_RECORD\n');
  process.exit(64);
}
const scenario = JSON.parse(readFileSync(scenarioFile, 'utf8'));
mkdirSync(recordDir, { recursive: true });
const counterFile = path.join(recordDir, 'count');
let count = 0;
try {
  count = Number(readFileSync(counterFile, 'utf8')) || 0;
} catch {}
writeFileSync(counterFile, String(count + 1));
const attempt = scenario.attempts[Math.min(count, scenario.attempts.length - 1)];

const stdin = await new Promise((resolve) => {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
});
appendFileSync(
  path.join(recordDir, 'calls.jsonl'),
  `${JSON.stringify({ attempt: count + 1, argv: process.argv.slice(2), stdin, cwd: process.cwd(), pid: process.pid })}\n`,
);

for (const [file, text] of Object.entries(attempt.writeFiles ?? {})) writeFileSync(path.resolve(file), text);
if (attempt.transcript) {
  const configDir = process.env.CLAUDE_CONFIG_DIR || path.join(process.env.HOME, '.claude');
  const dir = path.join(configDir, 'projects', process.cwd().replace(/[^a-zA-Z0-9]/g, '-'));
  mkdirSync(dir, { recursive: true });
  const text = attempt.transcript.lines.map((l) => `${JSON.stringify(l)}\n`).join('');
  writeFileSync(path.join(dir, `${attempt.transcript.sessionId}.jsonl`), text);
}

const lines = [];
if (attempt.fixture) {
  const text = readFileSync(path.resolve(path.dirname(scenarioFile), attempt.fixture), 'utf8');
  lines.push(...text.split('\n').filter((l) => l.length > 0));
}
for (const line of attempt.lines ?? []) lines.push(typeof line === 'string' ? line : JSON.stringify(line));

const write = (text) => new Promise((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', resolve)));
const delay = attempt.chunkDelayMs ?? 0;
for (const line of lines) {
  await write(`${line}\n`);
  if (delay) await new Promise((r) => setTimeout(r, delay));
}
if (attempt.stderr) process.stderr.write(attempt.stderr);
if (attempt.hang) {
  setInterval(() => {}, 1 << 30);
} else {
  process.exitCode = attempt.exitCode ?? 0;
}
