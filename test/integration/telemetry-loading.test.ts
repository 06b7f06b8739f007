// Telemetry costs nothing when it is off: no OpenTelemetry module is even loaded. A probe
// (node --import) logs every module the CLI imports or requires; the same probe sees them when it is on.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { Project, REPO, answeringAttempt, cleanup, config } from './helpers.js';

afterAll(cleanup);

const PROBE = path.join(REPO, 'test', 'support', 'module-probe.mjs');

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await OtlpReceiver.start();
});
afterAll(async () => {
  await receiver.close();
});

async function project(extra: Record<string, unknown> = {}): Promise<Project> {
  return Project.create({
    config: config([{ name: 'work', prompt: 'Work' }], extra),
    tasks: { 'tasks/t.md': 'T\n' },
    scenario: { attempts: [answeringAttempt()] },
  });
}

let probes = 0;

/** Runs the CLI under the probe: its exit code and the modules it loaded. */
async function probed(on: Project, args: string[], env: Record<string, string> = {}): Promise<{ exitCode?: number; modules: string[] }> {
  const log = path.join(on.base, `modules-${++probes}.log`);
  const res = await on.run(args, { env: { ...env, NODE_OPTIONS: `--import=${PROBE}`, MODULE_PROBE_LOG: log } });
  return { exitCode: res.exitCode, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

const openTelemetry = (modules: string[]): string[] => modules.filter((url) => url.includes('@opentelemetry'));

describe('with telemetry off', () => {
  it('--version loads no OpenTelemetry module', async () => {
    const { exitCode, modules } = await probed(await project(), ['--version']);
    expect(exitCode).toBe(0);
    expect(modules.some((url) => url.endsWith('/dist/bundle/cli.js'))).toBe(true);
    expect(openTelemetry(modules)).toEqual([]);
  });

  it('a whole run loads none either', async () => {
    const on = await project();
    const { exitCode, modules } = await probed(on, ['run', 'tasks/t.md']);
    expect(exitCode).toBe(0);
    // the bundle's own requires went through the probe: it sees what a run loads
    expect(modules).toEqual(expect.arrayContaining(['node:child_process']));
    expect(openTelemetry(modules)).toEqual([]);
  });

  it('OTEL_SDK_DISABLED=true turns it off despite an endpoint: nothing loaded, nothing sent', async () => {
    const before = receiver.requests.length;
    const { exitCode, modules } = await probed(await project(), ['run', 'tasks/t.md'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SDK_DISABLED: 'true',
    });
    expect(exitCode).toBe(0);
    expect(openTelemetry(modules)).toEqual([]);
    expect(receiver.requests.length).toBe(before);
  });
});

describe('with telemetry on', () => {
  it('the same probe sees the OpenTelemetry packages load', async () => {
    const { exitCode, modules } = await probed(await project({ telemetry: { otlpEndpoint: receiver.url } }), ['run', 'tasks/t.md']);
    expect(exitCode).toBe(0);
    expect(openTelemetry(modules)).toEqual(expect.arrayContaining([expect.stringContaining('@opentelemetry/sdk-metrics')]));
    expect(receiver.requests.length).toBeGreaterThan(0);
  });
});
