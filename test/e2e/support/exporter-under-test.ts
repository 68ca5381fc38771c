// The exporter as `serve` wires it (createExporter), inside the test process: recorder, a sink and the real HTTP
// server on a free loopback port, with kafkajs clients instrumented into that one recorder. The sink is
// prom-client (what `serve` serves) or the sidecar's OpenTelemetry pipeline, whose exposition must be the same.
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig } from 'kafkajs';
import { instrument } from '../../../src/exporter/instrument.js';
import type { InstrumentationHandle } from '../../../src/exporter/instrument.js';
import { DEFAULT_OPTIONS } from '../../../src/config/options.js';
import { createExporter } from '../../../src/exporter/create-exporter.js';
import type { CreateExporterOptions } from '../../../src/exporter/create-exporter.js';
import { silentLogger } from '../../../src/logger.js';
import { createOpenTelemetrySink } from '../../../src/sinks/opentelemetry.js';
import { createOtelPipeline } from '../../../src/sinks/otel-pipeline.js';

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
  const base: CreateExporterOptions = {
    options: { ...DEFAULT_OPTIONS, host: '127.0.0.1', port: 0, topicLabel: options.topicLabel ?? true },
    logger: silentLogger,
  };
  let shutdown = async (): Promise<void> => {};
  let exporter;
  if (options.sink === 'opentelemetry') {
    // /metrics rendered by the sidecar's OpenTelemetry pipeline instead of the prom-client sink.
    const pipeline = createOtelPipeline();
    exporter = createExporter({
      ...base,
      sinks: [createOpenTelemetrySink({ meterProvider: pipeline.meterProvider })],
      metricsEndpoint: pipeline,
    });
    shutdown = () => pipeline.shutdown();
  } else {
    exporter = createExporter(base);
  }
  const { recorder } = exporter;
  const { url } = await exporter.listen();
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
      await exporter.close(1_000);
      await shutdown();
    },
  };
}
