// The exporter as `serve` wires it, inside the test process: classifier, recorder, a sink and the real HTTP
// server on a free loopback port, with kafkajs clients instrumented into that one recorder. The sink is
// prom-client (what `serve` serves) or the sidecar's OpenTelemetry pipeline, whose exposition must be the same.
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig } from 'kafkajs';
import { instrument } from '../../../src/capture/kafkajs/instrument.js';
import type { InstrumentationHandle } from '../../../src/capture/kafkajs/instrument.js';
import { createClassifier } from '../../../src/codes/classify.js';
import { ERROR_CODES, toErrorCodeJson } from '../../../src/codes/registry.js';
import { silentLogger } from '../../../src/logger.js';
import { PACKAGE_VERSION } from '../../../src/record/build-info.js';
import { createRecorder } from '../../../src/record/recorder.js';
import { createExporterServer } from '../../../src/server/exporter-server.js';
import { createOpenTelemetrySink } from '../../../src/sinks/opentelemetry.js';
import { createOtelPipeline } from '../../../src/sinks/otel-pipeline.js';
import { createPrometheusSink } from '../../../src/sinks/prometheus.js';
import type { RecorderSink } from '../../../src/record/metric-source.js';
import type { MetricsSource } from '../../../src/server/sources.js';

/** Which sink renders the scrapes. */
export type SinkKind = 'prom-client' | 'opentelemetry';

export interface ExporterUnderTestOptions {
  /** @default 'prom-client' */
  readonly sink?: SinkKind;
  /** Label response errors with their topic, as `serve --topic-label` does. @default true */
  readonly topicLabel?: boolean;
}

export interface ExporterUnderTest {
  /** `127.0.0.1:<port>`, the scrape target. */
  readonly target: string;
  /**
   * A kafkajs client reporting into the exporter's recorder: quiet logs and short retries unless `config`
   * says otherwise. Detached by `stop()`.
   */
  kafka(config: KafkaConfig): Kafka;
  /** The exposition a scrape gets now (Prometheus text format). */
  scrape(): Promise<string>;
  /** Detaches every client's instrumentation, closes the server and the sink's pipeline. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the exporter on a free loopback port. */
export async function startExporterUnderTest(
  options: ExporterUnderTestOptions = {},
): Promise<ExporterUnderTest> {
  const classifier = createClassifier({ logger: silentLogger });
  let sink: RecorderSink;
  let metrics: MetricsSource;
  let shutdown = async (): Promise<void> => {};
  if (options.sink === 'opentelemetry') {
    const pipeline = createOtelPipeline();
    sink = createOpenTelemetrySink({ meterProvider: pipeline.meterProvider });
    metrics = pipeline;
    shutdown = () => pipeline.shutdown();
  } else {
    const prometheus = createPrometheusSink();
    sink = prometheus;
    metrics = prometheus;
  }
  const recorder = createRecorder({
    classifier,
    codes: ERROR_CODES,
    sinks: [sink],
    topicLabel: options.topicLabel ?? true,
    logger: silentLogger,
  });
  const codes = ERROR_CODES.map((entry) => toErrorCodeJson(entry));
  const server = createExporterServer({
    host: '127.0.0.1',
    port: 0,
    tls: null,
    basicAuthUsers: null,
    logger: silentLogger,
    metrics,
    errors: recorder,
    codes: { codes: () => codes },
    build: { version: PACKAGE_VERSION, nodeVersion: process.version },
  });
  const { url } = await server.listen();
  const handles: InstrumentationHandle[] = [];

  return {
    target: url.replace(/^http:\/\//, ''),
    kafka(config) {
      const kafka = new Kafka({
        logLevel: logLevel.NOTHING,
        retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 },
        ...config,
      });
      handles.push(instrument(kafka, { recorder }));
      return kafka;
    },
    async scrape() {
      const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`GET ${url}/metrics: ${response.status}`);
      return response.text();
    },
    async stop() {
      for (const handle of handles.splice(0)) handle.detach();
      await server.close(1_000);
      await shutdown();
    },
  };
}
