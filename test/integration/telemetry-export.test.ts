// Where and how metrics go: the config's endpoint or the standard variables (which win), protobuf
// unless told JSON, the variables' headers; a collector that refuses them or is not there costs
// one warning line and never the run; bad settings are refused before anything runs (exit 2).
import { type Socket, createServer } from 'node:net';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import {
  Project,
  SONNET,
  type Attempt,
  assistant,
  billed,
  cleanup,
  config,
  hangTimeoutSeconds,
  init,
  result,
  snapshot,
  waitFor,
} from './helpers.js';

afterAll(cleanup);

function call(id: string, extra: Partial<Attempt> = {}): Attempt {
  return {
    lines: [
      init(`sess-${id}`, SONNET),
      ...assistant({ id: `msg_${id}`, model: SONNET, usage: snapshot(10), blocks: 1 }),
      result({ modelUsage: { [SONNET]: billed(1_000, 100, 0, 0, 0.005) } }),
    ],
    ...extra,
  };
}

async function project(extra: Record<string, unknown> = {}, attempts: Attempt[] = [call('one')]): Promise<Project> {
  return Project.create({
    config: config([{ name: 'work', prompt: 'Work' }], extra),
    tasks: { 'tasks/t.md': 'T\n' },
    scenario: { attempts },
  });
}

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const warnings = (stderr: string): string[] => stderr.split('\n').filter((line) => line.includes('warning'));

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await OtlpReceiver.start();
});
afterEach(async () => {
  await receiver.close();
});

describe('where metrics go', () => {
  it('telemetry.otlpEndpoint in the config: POST <endpoint>/v1/metrics, protobuf by default, with OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const on = await project({ telemetry: { otlpEndpoint: receiver.url } });
    const res = await on.run(['run', 'tasks/t.md'], { env: { OTEL_EXPORTER_OTLP_HEADERS: 'x-team=tokens,authorization=Bearer%20abc' } });
    expect(res.exitCode).toBe(0);
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) {
      expect(request).toEqual(expect.objectContaining({ method: 'POST', path: '/v1/metrics' }));
      expect(request.headers['content-type']).toBe('application/x-protobuf');
      expect(request.headers['x-team']).toBe('tokens');
      expect(request.headers.authorization).toBe('Bearer abc');
    }
    // protobuf keeps strings as they are: every counter is in the body
    const body = Buffer.concat(receiver.requests.map((request) => request.body)).toString('latin1');
    for (const name of ['claude_project.tokens', 'claude_project.cost_usd', 'claude_project.attempts', 'claude-project'])
      expect(body).toContain(name);
  });

  it('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT wins over the config, and is used as it is', async () => {
    const on = await project({ telemetry: { otlpEndpoint: `http://127.0.0.1:${await closedPort()}` } });
    const res = await on.run(['run', 'tasks/t.md'], {
      env: { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.url}/custom/metrics`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    expect(res.exitCode).toBe(0);
    expect(warnings(res.stderr)).toEqual([]);
    expect(receiver.requests.map((request) => request.path)).toEqual(receiver.requests.map(() => '/custom/metrics'));
    expect(receiver.totals('claude_project.tokens', ['type'])).toEqual({ input: 1_000, output: 100 });
  });
});

describe('a failed export is one warning, never a failed run', () => {
  it('a collector that answers 400 to every export, during the run and at its end', async () => {
    receiver.status = 400;
    const on = await Project.create({
      config: config([{ name: 'work', prompt: 'Work' }]),
      tasks: { 'tasks/a.md': 'A\n', 'tasks/b.md': 'B\n' },
      // the second task's claude waits until the first task's metrics were sent (and refused)
      scenario: { attempts: [call('a'), call('b', { lines: [{ $waitFor: 'exported' }, ...(call('b').lines ?? [])] })] },
    });
    // The interval is also each request's timeout (the SDK keeps the timeout within it): long
    // enough, measured, for the collector's answer to arrive before it whatever the load.
    const interval = String(1000 * (await hangTimeoutSeconds()));
    const running = on.start(['sequence', 'tasks'], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_METRIC_EXPORT_INTERVAL: interval },
    });
    await waitFor('a periodic export', () => receiver.requests.length > 0);
    await on.writeFile('../exported', '');
    const res = await running;
    expect(res.exitCode).toBe(0);
    expect(receiver.requests.length).toBeGreaterThan(1);
    expect(warnings(String(res.stderr))).toEqual([
      `claude-project: warning: metrics export to ${receiver.url}/v1/metrics failed: the collector answered HTTP 400 Bad Request (the run is not affected; later export errors are not shown)`,
    ]);
    expect((await on.sequenceState()).phase).toBe('done');
  });

  it('no collector at all (connection refused)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const on = await project();
    // the exporter's own request timeout, so that its retries give up soon; measured, so that the
    // refusal, not the timeout, ends a request whatever the load
    const timeout = String(1000 * (await hangTimeoutSeconds()));
    const res = await on.run(['run', 'tasks/t.md'], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_TIMEOUT: timeout } });
    expect(res.exitCode).toBe(0);
    expect(warnings(res.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^claude-project: warning: metrics export to ${url}/v1/metrics failed: .*ECONNREFUSED`)),
    ]);
    expect((await on.taskState('tasks/t.md')).phase).toBe('done');
  });
});

/** A collector that takes every connection and never answers; `held`: the connections it took. */
async function silentCollector(): Promise<{ url: string; held: Socket[]; close: () => Promise<void> }> {
  const held: Socket[] = [];
  const silent = createServer((socket) => held.push(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const close = async (): Promise<void> => {
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  };
  return { url: `http://127.0.0.1:${(silent.address() as { port: number }).port}`, held, close };
}

describe('the last export is bounded by OTEL_METRIC_EXPORT_TIMEOUT', () => {
  it('a collector that takes the connection and never answers: the run still ends, with one warning', async () => {
    const { url, held, close } = await silentCollector();
    try {
      const on = await project();
      // a request timeout far longer than the export's own: the export's wins
      const res = await on.run(['run', 'tasks/t.md'], {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_TIMEOUT: '600000', OTEL_METRIC_EXPORT_TIMEOUT: '1000' },
      });
      expect(res.exitCode).toBe(0);
      expect(held.length).toBeGreaterThan(0);
      expect(warnings(res.stderr)).toEqual([
        expect.stringContaining(`claude-project: warning: metrics export to ${url}/v1/metrics failed: `),
      ]);
    } finally {
      await close();
    }
  });
});

describe('Ctrl-C while the last metrics are being sent', () => {
  it('ends the wait: exit 130, the task done as it was', async () => {
    const { url, held, close } = await silentCollector();
    try {
      const on = await project();
      // the last export alone (no periodic one in a run this short), and it could wait ten minutes
      const running = on.start(['run', 'tasks/t.md'], {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: url,
          OTEL_EXPORTER_OTLP_TIMEOUT: '600000',
          OTEL_METRIC_EXPORT_TIMEOUT: '600000',
          OTEL_METRIC_EXPORT_INTERVAL: '600000',
        },
      });
      // the task is done (its state says so) and an export holds a connection: the last one, or one still unanswered
      await waitFor(
        'the last export to be under way',
        async () => held.length > 0 && (await on.taskState('tasks/t.md').catch(() => undefined))?.phase === 'done',
      );
      running.kill('SIGINT');
      const res = await running;
      expect(res.exitCode).toBe(130);
      expect((await on.taskState('tasks/t.md')).phase).toBe('done');
    } finally {
      await close();
    }
  });
});

describe('bad telemetry settings are refused before anything runs (exit 2)', () => {
  it.each([
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      'OTEL_EXPORTER_OTLP_PROTOCOL "grpc": claude-project sends metrics over HTTP only; use http/protobuf or http/json (set OTEL_EXPORTER_OTLP_METRICS_PROTOCOL for claude-project alone), or OTEL_METRICS_EXPORTER=none to send none.',
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' },
      'OTEL_EXPORTER_OTLP_ENDPOINT "localhost:4318" is not an http(s) URL (for example http://localhost:4318).',
    ],
    [
      { OTEL_METRIC_EXPORT_INTERVAL: '1m' },
      'OTEL_METRIC_EXPORT_INTERVAL "1m": expected a whole number of milliseconds above 0 and at most 2147483647 (about 24 days, the longest timer Node.js keeps).',
    ],
    [
      { OTEL_METRICS_EXPORTER: 'console' },
      'OTEL_METRICS_EXPORTER "console": claude-project exports metrics over OTLP only; use otlp or none.',
    ],
  ])('%j', async (env, message) => {
    const on = await project();
    const res = await on.run(['run', 'tasks/t.md'], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env } });
    expect(res.exitCode).toBe(2);
    expect(res.stderr.trim()).toBe(`claude-project: ${message}`);
    expect(await on.calls()).toEqual([]);
  });

  it('telemetry.otlpEndpoint that is not a URL: the file, line and key', async () => {
    const on = await project();
    await on.writeConfig(
      'model: claude-sonnet-4-5\ntelemetry:\n  otlpEndpoint: collector:4318\npipeline:\n  - name: work\n    prompt: Work\n',
    );
    const res = await on.run(['run', 'tasks/t.md']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(
      `${on.configFile}:3: telemetry.otlpEndpoint: "collector:4318" is not valid: use an http(s) URL such as http://localhost:4318`,
    );
    expect(await on.calls()).toEqual([]);
  });
});
