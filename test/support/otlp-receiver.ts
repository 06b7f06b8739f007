import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, as it arrived. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A data point of a sum, as OTLP/JSON gives it (int64 values may come as strings). */
interface JsonDataPoint {
  attributes?: Array<{ key: string; value: { stringValue?: string } }>;
  asInt?: number | string;
  asDouble?: number;
  timeUnixNano?: string | number;
}

interface JsonMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: JsonDataPoint[]; aggregationTemporality: number; isMonotonic?: boolean };
}

interface JsonExport {
  resourceMetrics: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeMetrics: Array<{ scope: { name: string }; metrics: JsonMetric[] }>;
  }>;
}

/** One counter series at its last value: the metric, its attributes and the resource that sent it. */
export interface Series {
  metric: string;
  unit: string | undefined;
  attributes: Record<string, string>;
  resource: Record<string, string>;
  value: number;
}

const CUMULATIVE = 2;
const DELTA = 1;

function attributesOf(list: Array<{ key: string; value: { stringValue?: string } }> | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, String(value.stringValue)]));
}

/**
 * A local OTLP/HTTP collector for tests: it records every request and answers with `status`
 * (200 unless changed). JSON exports are decoded; a series sent cumulatively is taken at its
 * latest point, a delta series summed, so `series()` holds each counter's total.
 */
export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  status = 200;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res
          .writeHead(receiver.status, { 'content-type': 'application/json' })
          .end(receiver.status === 200 ? '{}' : '{"message":"refused by the test"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** The base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  exports(): JsonExport[] {
    return this.requests.map((request) => JSON.parse(request.body.toString('utf8')) as JsonExport);
  }

  series(): Series[] {
    const found = new Map<string, Series & { time: bigint }>();
    for (const exported of this.exports()) {
      for (const { resource, scopeMetrics } of exported.resourceMetrics) {
        const resourceAttributes = attributesOf(resource.attributes);
        for (const metric of scopeMetrics.flatMap((scope) => scope.metrics)) {
          if (!metric.sum) throw new Error(`test receiver: ${metric.name} is not a sum`);
          const { aggregationTemporality } = metric.sum;
          if (aggregationTemporality !== CUMULATIVE && aggregationTemporality !== DELTA)
            throw new Error(`test receiver: temporality ${aggregationTemporality}`);
          for (const point of metric.sum.dataPoints) {
            const attributes = attributesOf(point.attributes);
            const key = JSON.stringify([resourceAttributes['service.instance.id'], metric.name, Object.entries(attributes).sort()]);
            const value = Number(point.asInt ?? point.asDouble);
            const time = BigInt(point.timeUnixNano ?? 0);
            const before = found.get(key);
            if (!before || aggregationTemporality === DELTA || time >= before.time) {
              const total = before && aggregationTemporality === DELTA ? before.value + value : value;
              found.set(key, { metric: metric.name, unit: metric.unit, attributes, resource: resourceAttributes, value: total, time });
            }
          }
        }
      }
    }
    return [...found.values()].map(({ time: _time, ...series }) => series);
  }

  /** The sum of `metric` over its series, grouped by the values of `by` (joined with "|"). */
  totals(metric: string, by: string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const series of this.series().filter((s) => s.metric === metric)) {
      const key = by.map((name) => series.attributes[name] ?? '').join('|');
      out[key] = (out[key] ?? 0) + series.value;
    }
    return out;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
