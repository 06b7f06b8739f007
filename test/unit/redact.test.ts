import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { SecretRedactor, redactSecrets, redactWritesTo } from '../../src/errors/redact.js';
import { formatEvent } from '../../src/claude/readable-log.js';
import { reportFailure } from '../../src/errors/top-level.js';
import { StepLog } from '../../src/pipeline/step-log.js';
import { writeJsonAtomic, writeTextAtomic } from '../../src/state/atomic-json.js';

const TOKEN = 'sk-ant-admin01-ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdef-0123';
const ADMIN = 'plain-admin-key-0123456789abcdef';
const env = { ANTHROPIC_ADMIN_KEY: ADMIN };

describe('redactSecrets', () => {
  it('cuts an sk-ant- token to its first 10 characters and "…", wherever it is', () => {
    expect(redactSecrets(`a "${TOKEN}" b ${TOKEN}.`, {})).toBe('a "sk-ant-adm…" b sk-ant-adm….');
  });

  it('cuts the values of ANTHROPIC_ADMIN_KEY and ANTHROPIC_API_KEY, a short one to a third of it', () => {
    expect(redactSecrets(`x${ADMIN}y`, env)).toBe('xplain-admi…y');
    expect(redactSecrets('key=12345678901', { ANTHROPIC_API_KEY: '12345678901' })).toBe('key=123…');
  });

  it('leaves alone what is no secret: short values, "sk-ant-" alone, text without one', () => {
    expect(redactSecrets('abc1234 sk-ant- sk-ant-api', { ANTHROPIC_API_KEY: 'abc1234' })).toBe('abc1234 sk-ant- sk-ant-api');
    const text = 'nothing to hide';
    expect(redactSecrets(text, env)).toBe(text);
  });
});

describe('SecretRedactor: text that arrives in pieces', () => {
  const text = `a ${TOKEN} b ${ADMIN} c s sk sk-ant ${TOKEN}`;
  const whole = redactSecrets(text, env);

  function fed(pieces: string[]): string {
    const redactor = new SecretRedactor(env);
    return pieces.map((piece) => redactor.push(piece)).join('') + redactor.end();
  }

  it('gives what redactSecrets gives the whole, wherever the text is cut in two or three', () => {
    for (let at = 0; at <= text.length; at++) expect({ at, out: fed([text.slice(0, at), text.slice(at)]) }).toEqual({ at, out: whole });
    for (let at = 1; at < text.length - 3; at += 3) {
      const out = fed([text.slice(0, at), text.slice(at, at + 3), text.slice(at + 3)]);
      expect({ at, out }).toEqual({ at, out: whole });
    }
  });

  it('holds nothing back from text that cannot be the start of a secret', () => {
    const redactor = new SecretRedactor(env);
    expect(redactor.push('a whole line\n')).toBe('a whole line\n');
    expect(redactor.push(`${TOKEN}.`)).toBe('sk-ant-adm….');
    expect(redactor.end()).toBe('');
  });

  it('a token longer than it may hold is cut where it stands, and the rest of it dropped as it comes', () => {
    const redactor = new SecretRedactor({});
    const first = redactor.push(`x sk-ant-${'a'.repeat(2000)}`);
    const rest = redactor.push(`${'b'.repeat(3000)}`) + redactor.push(`${'c'.repeat(10)} y`) + redactor.end();
    expect(first).toBe('x sk-ant-aaa…');
    expect(rest).toBe(' y');
  });
});

describe('the writers that apply it', () => {
  let dir: string;
  const saved = process.env.ANTHROPIC_ADMIN_KEY;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cp-redact-'));
    process.env.ANTHROPIC_ADMIN_KEY = ADMIN;
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.ANTHROPIC_ADMIN_KEY;
    else process.env.ANTHROPIC_ADMIN_KEY = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('state files, whole or written in pieces, still parse', async () => {
    const file = path.join(dir, 'a.state.json');
    await writeJsonAtomic(file, { error: `failed: ${TOKEN} ${ADMIN}` });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ error: 'failed: sk-ant-adm… plain-admi…' });
    async function* pieces() {
      yield `{"a": "${TOKEN}",`;
      yield ` "b": "${ADMIN}"}`;
    }
    await writeTextAtomic(file, pieces());
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ a: 'sk-ant-adm…', b: 'plain-admi…' });
  });

  it("the readable step log, and the raw log's own marker lines", async () => {
    const log = await StepLog.open(path.join(dir, '01-x'));
    log.write(`claude said ${TOKEN}`);
    log.append(`check printed ${ADMIN}\n`);
    log.marker({ event: 'attempt_start', attempt: 1, step: 'x', model: ADMIN, startedAt: 'now', sessionId: undefined });
    await log.close();
    expect(await readFile(log.readablePath, 'utf8')).toBe('claude said sk-ant-adm…\ncheck printed plain-admi…\n');
    expect(await readFile(log.rawPath, 'utf8')).toContain('"model":"plain-admi…"');
  });

  it('the readable step log, a key cut between two pieces of output (a pipe read, a pause)', async () => {
    const log = await StepLog.open(path.join(dir, '02-y'));
    log.append(`token ${TOKEN.slice(0, 9)}`);
    await new Promise((resolve) => setImmediate(resolve)); // the first piece is flushed on its own
    log.append(`${TOKEN.slice(9)} admin ${ADMIN.slice(0, 5)}`);
    await new Promise((resolve) => setImmediate(resolve));
    log.append(`${ADMIN.slice(5)}\n`);
    await log.close();
    expect(await readFile(log.readablePath, 'utf8')).toBe('token sk-ant-adm… admin plain-admi…\n');
  });

  it('the readable log cuts a long text after its secrets, not through them', () => {
    const api = 'apikey.value.9876543210.secret';
    process.env.ANTHROPIC_API_KEY = api;
    try {
      const text = `${'x'.repeat(19_980)}${api}`;
      const line = formatEvent({ type: 'assistant', message: { content: [{ type: 'text', text }] } } as never) ?? '';
      expect(line).not.toContain(api.slice(0, 11));
      const input =
        formatEvent({
          type: 'assistant',
          message: { content: [{ type: 'tool_use', name: 'Bash', input: { command: `${'y'.repeat(470)}${api}` } }] },
        } as never) ?? '';
      expect(input).not.toContain(api.slice(0, 11));
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
    }
  });

  it('the top-level error printer and a redacted stream (stdout, stderr)', async () => {
    let printed = '';
    reportFailure(new Error(`boom ${TOKEN}`), env, (text) => {
      printed += text;
    });
    expect(printed).toContain('boom sk-ant-adm…');
    expect(printed).not.toContain(TOKEN);
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    redactWritesTo(stream, env);
    stream.write(`text ${ADMIN}\n`);
    stream.write(Buffer.from(`bytes ${TOKEN}\n`));
    stream.write(Buffer.from('plain\n'));
    expect(Buffer.concat(chunks).toString('utf8')).toBe('text plain-admi…\nbytes sk-ant-adm…\nplain\n');
  });
});
