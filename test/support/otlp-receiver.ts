// A local OTLP/HTTP metrics receiver for tests: an in-process server on 127.0.0.1 that keeps every request, and
// a reader of the JSON export requests @opentelemetry/exporter-metrics-otlp-http sends.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface OtlpRequest {
  readonly method: string;
  readonly url: string;
  readonly contentType: string;
  readonly body: string;
}

export interface OtlpReceiver {
  /** e.g. `http://127.0.0.1:41234/v1/metrics` */
  readonly url: string;
  readonly requests: readonly OtlpRequest[];
  close(): Promise<void>;
}

/** Starts a receiver answering `200 {}`; with `hang`, one that never answers (a stuck collector). */
export async function startOtlpReceiver(options: { hang?: boolean } = {}): Promise<OtlpReceiver> {
  const requests: OtlpRequest[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        contentType: request.headers['content-type'] ?? '',
        body,
      });
      if (!options.hang) response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/metrics`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface JsonDataPoint {
  readonly attributes: readonly {
    key: string;
    value: { stringValue?: string; intValue?: string | number };
  }[];
  readonly asInt?: string | number;
  readonly asDouble?: number;
}

interface JsonExportRequest {
  readonly resourceMetrics: readonly {
    scopeMetrics: readonly {
      metrics: readonly { name: string; sum?: { dataPoints: readonly JsonDataPoint[] } }[];
    }[];
  }[];
}

/** A sum's data point: its attributes as strings, and its value. */
export interface OtlpPoint {
  readonly attributes: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The data points of the sum `name` (an OpenTelemetry name, e.g. `kafka.client.response.errors`) in a request. */
export function sumPoints(body: string, name: string): OtlpPoint[] {
  const request = JSON.parse(body) as JsonExportRequest;
  return request.resourceMetrics
    .flatMap((resource) => resource.scopeMetrics)
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.name === name)
    .flatMap((metric) => metric.sum?.dataPoints ?? [])
    .map((point) => ({
      attributes: Object.fromEntries(
        point.attributes.map((a) => [a.key, String(a.value.stringValue ?? a.value.intValue)]),
      ),
      value: Number(point.asInt ?? point.asDouble),
    }));
}
