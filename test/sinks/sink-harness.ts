// Test helper: both sinks behind one shape (a recorder into the sink, and a real scrape of its exposition).
import { createRecorder } from '../../src/record/recorder.js';
import type { Recorder, RecorderOptions } from '../../src/record/recorder.js';
import { createOpenTelemetrySink } from '../../src/sinks/opentelemetry.js';
import { createOtelPipeline } from '../../src/sinks/otel-pipeline.js';
import { createPrometheusSink } from '../../src/sinks/prometheus.js';
import { createClassifier } from '../../src/codes/classify.js';
import { silentLogger } from '../../src/logger.js';
import { withSelfMetricSources } from './event-stream.js';

export interface SinkUnderTest {
  readonly recorder: Recorder;
  /** The Prometheus text exposition, as a scraper gets it. */
  scrape(): Promise<string>;
  close(): Promise<void>;
}

export type RecorderSettings = Omit<RecorderOptions, 'sinks'>;

/** The real registry and classifier, quiet about the unknown codes the tests feed in. */
const recorderOptions = (settings: RecorderSettings): RecorderSettings => ({
  classifier: createClassifier({ logger: silentLogger }),
  logger: silentLogger,
  ...settings,
});

/** prom-client: the sink's own text registry, through `metricsResponse()` as the HTTP server calls it. */
export async function promClientSink(settings: RecorderSettings = {}): Promise<SinkUnderTest> {
  const sink = createPrometheusSink();
  const recorder = createRecorder({ ...recorderOptions(settings), sinks: withSelfMetricSources([sink]) });
  return {
    recorder,
    scrape: async () => (await sink.metricsResponse('text/plain')).body,
    close: async () => {},
  };
}

/** OpenTelemetry: the sidecar pipeline's Prometheus exporter, scraped over real HTTP on 127.0.0.1. */
export async function openTelemetrySink(settings: RecorderSettings = {}): Promise<SinkUnderTest> {
  const pipeline = createOtelPipeline();
  const { port } = await pipeline.listen({ host: '127.0.0.1', port: 0 });
  const recorder = createRecorder({
    ...recorderOptions(settings),
    sinks: withSelfMetricSources([createOpenTelemetrySink({ meterProvider: pipeline.meterProvider })]),
  });
  return {
    recorder,
    scrape: async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      if (response.status !== 200) throw new Error(`scrape answered ${response.status}`);
      return response.text();
    },
    close: () => pipeline.shutdown(),
  };
}

export const SINKS = [
  ['prom-client', promClientSink],
  ['OpenTelemetry', openTelemetrySink],
] as const;
