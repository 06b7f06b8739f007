import type { ProjectConfig } from '../config/types.js';
import { UserError } from '../errors/user-error.js';

/** How metrics travel: protobuf (the OTLP default) or JSON, both over HTTP. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TelemetrySettings {
  /** Where metrics are posted: the full URL, `/v1/metrics` included. */
  metricsUrl: string;
  /** What named it, for messages: an environment variable or the config key. */
  from: string;
  protocol: OtlpProtocol;
  /** How often the counters are sent while a run goes on (they are always sent at its end). */
  exportIntervalMs: number;
  /** How long one export may take; also the bound on the last one, as the process ends. */
  exportTimeoutMs: number;
  /** How long one request (its retries included) may take: never longer than an export, so none outlives the process's end. */
  requestTimeoutMs: number;
}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const METRICS_PATH = 'v1/metrics';

/** A variable set to nothing counts as not set, as the OpenTelemetry SDK reads it. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function checkedUrl(value: string, from: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UserError(`${from} ${JSON.stringify(value)} is not an http(s) URL (for example http://localhost:4318).`);
  }
  return url.href;
}

/** A base endpoint gets `/v1/metrics`, as the OTLP exporter does with OTEL_EXPORTER_OTLP_ENDPOINT. */
function withMetricsPath(base: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}${METRICS_PATH}`;
}

/** The first of `names` that is set, in milliseconds; `fallback` when none is. */
/** Node.js runs a longer timer at once (and warns): an export every millisecond. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function milliseconds(env: NodeJS.ProcessEnv, names: string[], fallback: number): number {
  const name = names.find((candidate) => envValue(env, candidate) !== undefined);
  const value = name === undefined ? undefined : envValue(env, name);
  if (name === undefined || value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0 || number > MAX_TIMER_MS) {
    throw new UserError(
      `${name} ${JSON.stringify(value)}: expected a whole number of milliseconds above 0 and at most ${MAX_TIMER_MS} (about 24 days, the longest timer Node.js keeps).`,
    );
  }
  return number;
}

function protocolOf(env: NodeJS.ProcessEnv): OtlpProtocol {
  for (const name of ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = envValue(env, name);
    if (value === undefined) continue;
    const protocol = PROTOCOLS.find((known) => known === value);
    if (!protocol) {
      throw new UserError(
        `${name} ${JSON.stringify(value)}: claude-project sends metrics over HTTP only; use ${PROTOCOLS.join(' or ')} ` +
          `(set OTEL_EXPORTER_OTLP_METRICS_PROTOCOL for claude-project alone), or OTEL_METRICS_EXPORTER=none to send none.`,
      );
    }
    return protocol;
  }
  return 'http/protobuf';
}

/** The endpoint, if any: the metrics variable as it is, else the general one or the config's with `/v1/metrics`. */
function endpointOf(config: ProjectConfig, env: NodeJS.ProcessEnv): { url: string; from: string } | undefined {
  const metrics = envValue(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  if (metrics !== undefined) {
    const from = 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT';
    return { url: checkedUrl(metrics, from), from };
  }
  const general = envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (general !== undefined) {
    const from = 'OTEL_EXPORTER_OTLP_ENDPOINT';
    return { url: withMetricsPath(checkedUrl(general, from)), from };
  }
  const configured = config.telemetry?.otlpEndpoint;
  if (configured !== undefined) {
    const from = `telemetry.otlpEndpoint in ${config.file}`;
    return { url: withMetricsPath(checkedUrl(configured, from)), from };
  }
  return undefined;
}

/** Off by the standard switches: `OTEL_SDK_DISABLED=true`, or `none` among `OTEL_METRICS_EXPORTER`. */
function switchedOff(env: NodeJS.ProcessEnv): boolean {
  if (envValue(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return true;
  const exporters = envValue(env, 'OTEL_METRICS_EXPORTER');
  if (exporters === undefined) return false;
  const names = exporters.split(',').map((name) => name.trim().toLowerCase());
  if (names.includes('none')) return true;
  if (!names.includes('otlp')) {
    throw new UserError(
      `OTEL_METRICS_EXPORTER ${JSON.stringify(exporters)}: claude-project exports metrics over OTLP only; use otlp or none.`,
    );
  }
  return false;
}

/**
 * Whether metrics are exported, and how: null (the usual case) when neither the config nor the
 * environment names an endpoint. A bad value is refused (exit 2) before anything runs.
 */
export function telemetrySettings(config: ProjectConfig, env: NodeJS.ProcessEnv): TelemetrySettings | null {
  const named = ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'].some((name) => envValue(env, name) !== undefined);
  if ((!named && config.telemetry?.otlpEndpoint === undefined) || switchedOff(env)) return null;
  const endpoint = endpointOf(config, env);
  if (!endpoint) return null;
  const exportIntervalMs = milliseconds(env, ['OTEL_METRIC_EXPORT_INTERVAL'], 60_000);
  // the SDK refuses a timeout longer than the interval
  const exportTimeoutMs = Math.min(milliseconds(env, ['OTEL_METRIC_EXPORT_TIMEOUT'], 30_000), exportIntervalMs);
  const requestTimeoutMs = milliseconds(env, ['OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'], 10_000);
  return {
    metricsUrl: endpoint.url,
    from: endpoint.from,
    protocol: protocolOf(env),
    exportIntervalMs,
    exportTimeoutMs,
    requestTimeoutMs: Math.min(requestTimeoutMs, exportTimeoutMs),
  };
}
