// The OTLP/HTTP push of `serve`: an OpenTelemetry sink over the sidecar's SDK pipeline, loaded only when asked for.
import type { RecorderSink } from '../record/metric-source.js';

/** Where and how often to push. */
export interface OtlpPushOptions {
  /** e.g. `http://collector:4318/v1/metrics` */
  readonly url: string;
  /** Interval between pushes, in milliseconds. */
  readonly intervalMillis: number;
}

/** A running push: pass `sink` to `createExporter({ otlp })`, which flushes it on close. */
export interface OtlpPush {
  readonly sink: RecorderSink;
  /** Flushes the last interval and stops the pipeline. Safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * Starts the push. The OpenTelemetry SDK (`@opentelemetry/sdk-metrics` and the exporters) is imported here, on
 * first use, so that an exporter without OTLP never loads it.
 */
export async function startOtlpPush(options: OtlpPushOptions): Promise<OtlpPush> {
  const [{ createOtelPipeline }, { createOpenTelemetrySink }] = await Promise.all([
    import('../sinks/otel-pipeline.js'),
    import('../sinks/opentelemetry.js'),
  ]);
  const pipeline = createOtelPipeline({
    otlp: { url: options.url, intervalMillis: options.intervalMillis },
  });
  let stopped: Promise<void> | undefined;
  return {
    sink: createOpenTelemetrySink({ meterProvider: pipeline.meterProvider }),
    shutdown: () => (stopped ??= pipeline.shutdown()),
  };
}
