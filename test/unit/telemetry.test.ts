import type { ProjectConfig } from '../../src/config/types.js';
import { UserError } from '../../src/errors/user-error.js';
import { type AttemptEnd, attemptMeasurements } from '../../src/telemetry/attempt-metrics.js';
import { describeExportError } from '../../src/telemetry/export-error.js';
import { telemetrySettings } from '../../src/telemetry/settings.js';
import type { TokenUsage } from '../../src/usage/types.js';

function projectConfig(otlpEndpoint?: string): ProjectConfig {
  return {
    file: '/p/claude-project.yaml',
    rootDir: '/p',
    model: 'claude-sonnet-4-5',
    claude: { command: 'claude', args: [], exitAfterResultSeconds: 600 },
    statePath: '/p/state',
    logsPath: '/p/logs',
    rateLimit: { wait: true, maxWaitMinutes: 360, marginSeconds: 60, minWaitSeconds: 60, maxReruns: 5 },
    billing: { settleMinutes: 60, pollSeconds: 60, requestTimeoutSeconds: 30 },
    pricing: {},
    budget: {},
    ...(otlpEndpoint !== undefined && { telemetry: { otlpEndpoint } }),
    pipeline: [
      {
        name: 'work',
        prompt: 'Work',
        model: 'claude-sonnet-4-5',
        modelKey: 'model',
        timeoutSeconds: undefined,
        retries: 0,
        cap: undefined,
      },
    ],
  };
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('telemetrySettings: on only when an endpoint is named', () => {
  it('is off with neither the config nor the environment naming one, whatever else is set', () => {
    expect(telemetrySettings(projectConfig(), {})).toBeNull();
    expect(telemetrySettings(projectConfig(), { OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toBeNull();
  });

  it('takes the config endpoint, adding /v1/metrics once; protobuf, 60 s interval and 30 s timeout by default', () => {
    for (const endpoint of ['http://collector:4318', 'http://collector:4318/']) {
      expect(telemetrySettings(projectConfig(endpoint), {})).toEqual({
        metricsUrl: 'http://collector:4318/v1/metrics',
        from: 'telemetry.otlpEndpoint in /p/claude-project.yaml',
        protocol: 'http/protobuf',
        exportIntervalMs: 60_000,
        exportTimeoutMs: 30_000,
        requestTimeoutMs: 10_000,
      });
    }
    expect(telemetrySettings(projectConfig('https://otel.example/base'), {})?.metricsUrl).toBe('https://otel.example/base/v1/metrics');
  });

  it('lets the environment win: the metrics variable as it is, else the general one with /v1/metrics', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://general:4318', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics:9/m' };
    expect(telemetrySettings(projectConfig('http://config:4318'), env)).toEqual(
      expect.objectContaining({ metricsUrl: 'http://metrics:9/m', from: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT' }),
    );
    expect(telemetrySettings(projectConfig('http://config:4318'), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://general:4318' })).toEqual(
      expect.objectContaining({ metricsUrl: 'http://general:4318/v1/metrics', from: 'OTEL_EXPORTER_OTLP_ENDPOINT' }),
    );
  });

  it('reads the protocol (the metrics variable first), the interval and the timeout (never above the interval)', () => {
    const settings = telemetrySettings(projectConfig('http://c:4318'), {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      OTEL_METRIC_EXPORT_TIMEOUT: '9000',
    });
    expect(settings).toEqual(expect.objectContaining({ protocol: 'http/json', exportIntervalMs: 5_000, exportTimeoutMs: 5_000 }));
  });

  it('bounds one request by the export timeout, so that no request outlives the last export', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(telemetrySettings(projectConfig(), { ...env, OTEL_EXPORTER_OTLP_TIMEOUT: '2000' })?.requestTimeoutMs).toBe(2_000);
    expect(
      telemetrySettings(projectConfig(), { ...env, OTEL_EXPORTER_OTLP_TIMEOUT: '2000', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '3000' })
        ?.requestTimeoutMs,
    ).toBe(3_000);
    expect(
      telemetrySettings(projectConfig(), { ...env, OTEL_EXPORTER_OTLP_TIMEOUT: '600000', OTEL_METRIC_EXPORT_TIMEOUT: '1000' })
        ?.requestTimeoutMs,
    ).toBe(1_000);
  });

  it('is off by the standard switches even with an endpoint', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(telemetrySettings(projectConfig(), { ...env, OTEL_SDK_DISABLED: 'TRUE' })).toBeNull();
    expect(telemetrySettings(projectConfig(), { ...env, OTEL_METRICS_EXPORTER: 'otlp, none' })).toBeNull();
    expect(telemetrySettings(projectConfig(), { ...env, OTEL_SDK_DISABLED: 'false', OTEL_METRICS_EXPORTER: 'otlp' })).not.toBeNull();
    // switched off, nothing else is read
    expect(telemetrySettings(projectConfig(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url', OTEL_SDK_DISABLED: 'true' })).toBeNull();
  });

  it('refuses bad values naming the variable (or the config key) and the value', () => {
    expect(refusal(() => telemetrySettings(projectConfig('ftp://c'), {}))).toBe(
      'telemetry.otlpEndpoint in /p/claude-project.yaml "ftp://c" is not an http(s) URL (for example http://localhost:4318).',
    );
    expect(refusal(() => telemetrySettings(projectConfig(), { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'collector' }))).toBe(
      'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT "collector" is not an http(s) URL (for example http://localhost:4318).',
    );
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(refusal(() => telemetrySettings(projectConfig(), { ...env, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' }))).toContain(
      'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL "grpc"',
    );
    expect(refusal(() => telemetrySettings(projectConfig(), { ...env, OTEL_METRIC_EXPORT_TIMEOUT: '0' }))).toBe(
      'OTEL_METRIC_EXPORT_TIMEOUT "0": expected a whole number of milliseconds above 0 and at most 2147483647 (about 24 days, the longest timer Node.js keeps).',
    );
    // longer than a timer holds: Node.js would run it at once, an export every millisecond
    expect(refusal(() => telemetrySettings(projectConfig(), { ...env, OTEL_METRIC_EXPORT_INTERVAL: '3000000000' }))).toContain(
      'OTEL_METRIC_EXPORT_INTERVAL "3000000000": expected a whole number of milliseconds above 0 and at most 2147483647',
    );
  });
});

function usage(counts: Partial<TokenUsage>): TokenUsage {
  const u = {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreation5mInputTokens: 0,
    cacheCreation1hInputTokens: 0,
    cacheReadInputTokens: 0,
    costUsd: null,
    ...counts,
  };
  return { ...u, cacheCreationInputTokens: u.cacheCreation5mInputTokens + u.cacheCreation1hInputTokens };
}

function attemptEnd(outcome: AttemptEnd['outcome'], byModel: AttemptEnd['usage']): AttemptEnd {
  return {
    type: 'attempt-end',
    taskName: 'login',
    step: 'plan',
    attempt: 1,
    outcome,
    usage: byModel,
    usageSource: 'result',
    durationMs: 5,
  };
}

describe('attemptMeasurements: what one finished attempt adds', () => {
  const opus = usage({
    inputTokens: 10,
    outputTokens: 20,
    cacheCreation5mInputTokens: 30,
    cacheCreation1hInputTokens: 40,
    cacheReadInputTokens: 50,
    costUsd: 0.25,
  });

  it('tokens by type, the cost as useful for a passed attempt, one attempt by outcome', () => {
    const where = { task: 'login', step: 'plan' };
    expect(attemptMeasurements(attemptEnd('passed', { 'claude-opus-4-1': opus }), undefined)).toEqual([
      { metric: 'attempts', value: 1, attributes: { ...where, outcome: 'passed' } },
      { metric: 'tokens', value: 10, attributes: { ...where, model: 'claude-opus-4-1', type: 'input' } },
      { metric: 'tokens', value: 20, attributes: { ...where, model: 'claude-opus-4-1', type: 'output' } },
      { metric: 'tokens', value: 30, attributes: { ...where, model: 'claude-opus-4-1', type: 'cache_write_5m' } },
      { metric: 'tokens', value: 40, attributes: { ...where, model: 'claude-opus-4-1', type: 'cache_write_1h' } },
      { metric: 'tokens', value: 50, attributes: { ...where, model: 'claude-opus-4-1', type: 'cache_read' } },
      { metric: 'costUsd', value: 0.25, attributes: { ...where, model: 'claude-opus-4-1', kind: 'useful' } },
    ]);
  });

  it('counts every other outcome as waste, and carries the shard when there is one', () => {
    for (const outcome of ['check-failed', 'claude-failed', 'timeout', 'interrupted', 'rate-limited', 'budget'] as const) {
      const cost = attemptMeasurements(attemptEnd(outcome, { 'claude-opus-4-1': opus }), '2/3').filter((m) => m.metric === 'costUsd');
      expect(cost).toEqual([
        {
          metric: 'costUsd',
          value: 0.25,
          attributes: { task: 'login', step: 'plan', shard: '2/3', model: 'claude-opus-4-1', kind: 'waste' },
        },
      ]);
    }
  });

  it('never exports an unknown cost as 0: the tokens go to unpriced_tokens; zero counts add nothing', () => {
    const measurements = attemptMeasurements(
      attemptEnd('passed', { 'claude-sonnet-9': usage({ inputTokens: 7, outputTokens: 3 }) }),
      undefined,
    );
    expect(measurements.filter((m) => m.metric === 'costUsd')).toEqual([]);
    expect(measurements.filter((m) => m.metric === 'unpricedTokens').map((m) => [m.attributes.type, m.value])).toEqual([
      ['input', 7],
      ['output', 3],
    ]);
    expect(measurements.filter((m) => m.metric === 'tokens').map((m) => m.attributes.type)).toEqual(['input', 'output']);
  });

  it('an attempt that billed nothing is still an attempt', () => {
    expect(attemptMeasurements(attemptEnd('claude-failed', {}), undefined)).toEqual([
      { metric: 'attempts', value: 1, attributes: { task: 'login', step: 'plan', outcome: 'claude-failed' } },
    ]);
  });
});

describe('describeExportError: the reason in the warning line', () => {
  it('gives the HTTP status of a collector that answered, else the network error', () => {
    expect(describeExportError(Object.assign(new Error('Unauthorized'), { code: 401 }))).toBe(
      'the collector answered HTTP 401 Unauthorized',
    );
    expect(describeExportError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' }))).toBe(
      'connect ECONNREFUSED 127.0.0.1:4318',
    );
    expect(describeExportError(undefined)).toBe('the collector did not accept the metrics');
  });
});
