// The sidecar's own OpenTelemetry pipeline: an SDK MeterProvider whose Prometheus exposition matches the contract,
// with optional OTLP/HTTP push.
//
// @opentelemetry/exporter-prometheus 0.223 appends `_total` to monotonic sums but no unit suffix, so
// `kafka.client.throttle.time` (unit `s`) would come out as `kafka_client_throttle_time`. Rather than a View
// (which would rename the instrument for OTLP receivers too), the collected data is renamed to the names.ts
// names just before serialization. OTLP receivers get the semantic-convention names and apply their own suffixes.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData, MetricReader, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { PACKAGE_VERSION } from '../record/build-info.js';
import { PROMETHEUS_CONTENT_TYPE } from './exposition.js';
import type { MetricsEndpoint, MetricsResponse } from './exposition.js';
import { METRICS } from '../metrics/names.js';
import { METER_NAME } from './opentelemetry.js';

/** Options of `createOtelPipeline`. */
export interface OtelPipelineOptions {
  /** The `service.name` resource attribute (shown in `target_info`). @default 'kafka-error-exporter' */
  readonly serviceName?: string;
  /** Drop the `otel_scope_*` labels, so that label sets equal the prom-client sink's. @default true */
  readonly withoutScopeInfo?: boolean;
  /** Drop the `target_info` family. @default false */
  readonly withoutTargetInfo?: boolean;
  /**
   * Series per instrument of this library's meter the SDK keeps before folding the rest into one overflow series.
   * The SDK's default is 2000; the recorder's own caps bound the series count first. @default 1_000_000
   */
  readonly cardinalityLimit?: number;
  /** Push over OTLP/HTTP (JSON encoding) as well. @default off */
  readonly otlp?: {
    /** e.g. `http://127.0.0.1:4318/v1/metrics` */
    readonly url: string;
    readonly headers?: Readonly<Record<string, string>>;
    /** @default 60000 */
    readonly intervalMillis?: number;
  };
}

/** The sidecar's MeterProvider and the ways to expose it. */
export interface OtelPipeline extends MetricsEndpoint {
  /** Pass it to `createOpenTelemetrySink({ meterProvider })`. */
  readonly meterProvider: MeterProvider;
  /** Renders the Prometheus text exposition (OpenMetrics is not offered by the OpenTelemetry exporter). */
  metricsText(): Promise<string>;
  /** A `node:http` handler answering GET and HEAD with the exposition (405 otherwise), for any route. */
  handleRequest(request: IncomingMessage, response: ServerResponse): void;
  /** Starts a server of its own serving `/metrics` (404 elsewhere). @default host '127.0.0.1', port 9464 */
  listen(options?: { host?: string; port?: number }): Promise<{ host: string; port: number }>;
  /** Stops the server (if any) and the MeterProvider, flushing OTLP. Safe to call twice. */
  shutdown(): Promise<void>;
}

/** OTel descriptor name (as the exporter sanitizes it) → the names.ts family name without the `_total` it adds. */
const RENAMES: ReadonlyMap<string, string> = new Map(
  Object.values(METRICS)
    .map(
      (def) => [def.otelName, def.type === 'counter' ? def.name.replace(/_total$/, '') : def.name] as const,
    )
    .filter(([otelName, name]) => otelName.replace(/[^a-z0-9_]/gi, '_') !== name),
);

/** Renames descriptors to the contract's Prometheus names (adds `_seconds` to the throttle histogram). */
function renameForPrometheus(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    ...resourceMetrics,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      ...scope,
      metrics: scope.metrics.map((metric): MetricData => {
        const name = RENAMES.get(metric.descriptor.name);
        return name === undefined ? metric : { ...metric, descriptor: { ...metric.descriptor, name } };
      }),
    })),
  };
}

/** Builds the sidecar's OpenTelemetry pipeline. Nothing listens until `listen()`. */
export function createOtelPipeline(options: OtelPipelineOptions = {}): OtelPipeline {
  const withoutScopeInfo = options.withoutScopeInfo ?? true;
  const withoutTargetInfo = options.withoutTargetInfo ?? false;
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo, withoutTargetInfo });
  const serializer = new PrometheusSerializer(
    undefined,
    false,
    undefined,
    withoutTargetInfo,
    withoutScopeInfo,
  );
  const readers: MetricReader[] = [exporter];
  if (options.otlp) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: options.otlp.url, headers: { ...options.otlp.headers } }),
        exportIntervalMillis: options.otlp.intervalMillis ?? 60_000,
      }),
    );
  }
  const meterProvider = new MeterProvider({
    // Without this View the SDK silently folds series past 2000 per instrument into `otel.metric.overflow`.
    views: [
      {
        meterName: METER_NAME,
        instrumentName: '*',
        aggregationCardinalityLimit: options.cardinalityLimit ?? 1_000_000,
      },
    ],
    resource: resourceFromAttributes({
      'service.name': options.serviceName ?? 'kafka-error-exporter',
      'service.version': PACKAGE_VERSION,
    }),
    readers,
  });

  let server: Server | undefined;
  let stopped: Promise<void> | undefined;

  async function metricsText(): Promise<string> {
    const { resourceMetrics } = await exporter.collect();
    return serializer.serialize(renameForPrometheus(resourceMetrics));
  }

  function handleRequest(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    metricsText().then(
      (body) => {
        response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      () => response.writeHead(500).end('# metrics collection failed\n'),
    );
  }

  return {
    meterProvider,
    metricsText,
    handleRequest,
    async metricsResponse(): Promise<MetricsResponse> {
      return { contentType: PROMETHEUS_CONTENT_TYPE, body: await metricsText() };
    },
    listen({ host = '127.0.0.1', port = 9464 } = {}) {
      const s = createServer((request, response) => {
        if (new URL(request.url ?? '/', 'http://localhost').pathname === '/metrics')
          handleRequest(request, response);
        else response.writeHead(404).end();
      }).unref();
      server = s;
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen({ host, port }, () => resolve({ host, port: (s.address() as AddressInfo).port }));
      });
    },
    shutdown() {
      stopped ??= (async () => {
        if (server?.listening) await new Promise<void>((resolve) => server!.close(() => resolve()));
        await meterProvider.shutdown();
      })();
      return stopped;
    },
  };
}
