/**
 * The only module that loads OpenTelemetry, itself loaded (dynamically) only when metrics are
 * exported: a run without telemetry never reads these packages.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Counter, ValueType } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { METRICS, type Measurement, type MetricKey } from './attempt-metrics.js';
import { describeExportError } from './export-error.js';
import type { TelemetrySettings } from './settings.js';

/** How long the last export may run past its own timeout before the process goes on without it. */
const CLOSE_GRACE_MS = 1_000;

export interface MetricsSink {
  add(measurements: readonly Measurement[]): void;
  /** Sends what is left and stops, within the export timeout; never rejects. */
  close(): Promise<void>;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The exporter, passing each failed export to `onFailure` (the SDK would only log it through its own diagnostics). */
function reportingFailures(exporter: PushMetricExporter, onFailure: (error: Error | undefined) => void): PushMetricExporter {
  return {
    export: (metrics, done) =>
      exporter.export(metrics, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) onFailure(result.error);
        done(result);
      }),
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
    ...(exporter.selectAggregationTemporality && { selectAggregationTemporality: exporter.selectAggregationTemporality.bind(exporter) }),
    ...(exporter.selectAggregation && { selectAggregation: exporter.selectAggregation.bind(exporter) }),
  };
}

/**
 * A meter provider with the four counters, exporting to `settings.metricsUrl`. Headers,
 * compression, certificates and the temporality come from the standard
 * OTEL_EXPORTER_OTLP_* variables, read by the exporter itself; OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES add to (and win over) the resource below.
 */
export function startOtelMetrics(settings: TelemetrySettings, warn: (line: string) => void): MetricsSink {
  let warned = false;
  const warnOnce = (reason: string): void => {
    if (warned) return;
    warned = true;
    warn(`metrics export to ${settings.metricsUrl} failed: ${reason} (the run is not affected; later export errors are not shown)`);
  };
  const Exporter = settings.protocol === 'http/json' ? JsonExporter : ProtobufExporter;
  const exporter = reportingFailures(new Exporter({ url: settings.metricsUrl, timeoutMillis: settings.requestTimeoutMs }), (error) =>
    warnOnce(describeExportError(error)),
  );
  const resource = defaultResource()
    .merge(
      resourceFromAttributes({
        'service.name': 'claude-project',
        'service.version': packageVersion(),
        // one per process, so that counters of shards running side by side never add into one another
        'service.instance.id': randomUUID(),
      }),
    )
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: settings.exportIntervalMs,
        exportTimeoutMillis: settings.exportTimeoutMs,
      }),
    ],
  });
  const meter = provider.getMeter('claude-project', packageVersion());
  const counters = Object.fromEntries(
    Object.entries(METRICS).map(([key, metric]) => [
      key,
      meter.createCounter(metric.name, {
        unit: metric.unit,
        description: metric.description,
        valueType: metric.integer ? ValueType.INT : ValueType.DOUBLE,
      }),
    ]),
  ) as Record<MetricKey, Counter>;

  let closing: Promise<void> | undefined;
  return {
    add(measurements) {
      for (const { metric, value, attributes } of measurements) counters[metric].add(value, attributes);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        // a backstop: every request ends by itself within the export timeout
        const timer = setTimeout(() => {
          warnOnce(`no answer within ${settings.exportTimeoutMs / 1000} s (OTEL_METRIC_EXPORT_TIMEOUT)`);
          resolve();
        }, settings.exportTimeoutMs + CLOSE_GRACE_MS);
        timer.unref();
        provider.shutdown().then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          (error: unknown) => {
            clearTimeout(timer);
            warnOnce(describeExportError(error instanceof Error ? error : undefined));
            resolve();
          },
        );
      });
      return closing;
    },
  };
}
