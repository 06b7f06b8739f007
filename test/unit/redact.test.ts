import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { redactSecrets, redactWritesTo } from '../../src/errors/redact.js';
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
