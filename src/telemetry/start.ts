import type { ProjectConfig } from '../config/types.js';
import type { Reporter } from '../pipeline/events.js';
import { attemptMeasurements } from './attempt-metrics.js';
import type { MetricsSink } from './otel-metrics.js';
import { telemetrySettings } from './settings.js';

export interface Telemetry {
  /** Subscribes to the pipeline's events: each finished attempt adds to the counters. */
  report: Reporter;
  /** Sends what the counters hold and stops; bounded by the export timeout, never rejects. */
  close(): Promise<void>;
}

/**
 * Metrics over OTLP when the config or the environment names an endpoint; otherwise null, and
 * no OpenTelemetry module is loaded. Settings are checked first (a bad value: exit 2); a failure
 * to load or export is one warning, never a failed run.
 */
export async function startTelemetry(
  config: ProjectConfig,
  env: NodeJS.ProcessEnv,
  options: { shard?: string; warn: (line: string) => void },
): Promise<Telemetry | null> {
  const settings = telemetrySettings(config, env);
  if (!settings) return null;
  let sink: MetricsSink;
  try {
    const { startOtelMetrics } = await import('./otel-metrics.js');
    sink = startOtelMetrics(settings, options.warn);
  } catch (error) {
    options.warn(`metrics are not exported: OpenTelemetry could not start (${error instanceof Error ? error.message : String(error)})`);
    return null;
  }
  let failed = false;
  return {
    // called from inside a step: whatever goes wrong here must never stop it
    report: (event) => {
      if ((event.type !== 'attempt-end' && event.type !== 'attempt-recovered') || failed) return;
      try {
        sink.add(attemptMeasurements(event, options.shard));
      } catch (error) {
        failed = true;
        options.warn(`metrics are no longer counted: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    close: () => sink.close(),
  };
}
