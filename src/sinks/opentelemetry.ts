// The OpenTelemetry sink, through @opentelemetry/api only (the user's SDK is never pinned). Instruments:
//   kafka.client.response.errors   observable counter {error}     error.type, kafka.error.code, kafka.error.category,
//                                                                 kafka.error.retriable, kafka.api.name, messaging.client.id,
//                                                                 server.address, server.port [, messaging.destination.name]
//   kafka.client.operation.errors  observable counter {error}     error class…, kafka.error.origin,
//                                                                 messaging.operation.name, messaging.client.id
//   kafka.client.responses         observable counter {response}  kafka.api.name, messaging.client.id, server.*
//   kafka.client.throttle.time     histogram s (explicit buckets) same attributes as responses
//   kafka.error.code.info          observable gauge 1             error class…, kafka.error.recovery, kafka.error.description
//   kafka_error_exporter.build_info (gauge), .capture.failures, .undecodable.frames, .label.overflow (counters)
//
// Counters report the recorder's cumulative values from one batch callback at collection time. OpenTelemetry
// has no observable histogram, so throttle times are recorded synchronously (throttled responses are rare).
import { metrics } from '@opentelemetry/api';
import type { Attributes, MeterProvider, Observable } from '@opentelemetry/api';
import { PACKAGE_VERSION } from '../record/build-info.js';
import type { MetricSource, RecorderSink, ScalarFamily, SeriesLabels } from '../record/metric-source.js';
import { LABELS, METRICS } from '../metrics/names.js';
import type { LabelName, MetricKey } from '../metrics/names.js';

/** The instrumentation scope name (`otel_scope_name` in a Prometheus exposition that keeps scope labels). */
export const METER_NAME = 'kafka-error-exporter';

/** Options of `createOpenTelemetrySink`. */
export interface OpenTelemetrySinkOptions {
  /** Where to create the instruments. @default the global MeterProvider at the time a recorder attaches */
  readonly meterProvider?: MeterProvider;
}

/**
 * The OpenTelemetry attributes of a series: keys per `LABELS`, `server.port` an integer (semantic conventions),
 * every other value the same string the Prometheus label carries.
 */
export function toAttributes(labels: SeriesLabels): Attributes {
  const attributes: Attributes = {};
  for (const [name, value] of Object.entries(labels) as [LabelName, string][]) {
    attributes[LABELS[name]] = name === 'server_port' ? Number(value) : value;
  }
  return attributes;
}

/**
 * Creates an OpenTelemetry sink: pass it to `createRecorder`. The SDK keeps 2000 series per instrument by default;
 * with raised caps, give the user's MeterProvider a View on meter `kafka-error-exporter` with a higher
 * `aggregationCardinalityLimit` (the sidecar pipeline does).
 */
export function createOpenTelemetrySink(options: OpenTelemetrySinkOptions = {}): RecorderSink {
  let attached = false;
  // Series labels are immutable and long-lived: convert each once.
  const cache = new WeakMap<SeriesLabels, Attributes>();
  const attributesOf = (labels: SeriesLabels): Attributes => {
    let attributes = cache.get(labels);
    if (attributes === undefined) {
      attributes = toAttributes(labels);
      cache.set(labels, attributes);
    }
    return attributes;
  };

  return {
    attach(source: MetricSource) {
      if (attached) throw new Error('This OpenTelemetry sink is already attached to a recorder');
      attached = true;
      const provider = options.meterProvider ?? metrics.getMeterProvider();
      const meter = provider.getMeter(METER_NAME, PACKAGE_VERSION);

      const observables: [ScalarFamily, Observable][] = [];
      for (const key of Object.keys(METRICS) as MetricKey[]) {
        const def = METRICS[key];
        const opts = { description: def.help, unit: def.unit };
        if (def.type === 'counter') {
          observables.push([key as ScalarFamily, meter.createObservableCounter(def.otelName, opts)]);
        } else if (def.type === 'gauge') {
          observables.push([key as ScalarFamily, meter.createObservableGauge(def.otelName, opts)]);
        }
      }
      meter.addBatchObservableCallback(
        (observer) => {
          for (const [family, instrument] of observables) {
            source.forEachSeries(family, (labels, value) =>
              observer.observe(instrument, value, attributesOf(labels)),
            );
          }
        },
        observables.map(([, instrument]) => instrument),
      );

      const throttle = METRICS.throttleTime;
      const histogram = meter.createHistogram(throttle.otelName, {
        description: throttle.help,
        unit: throttle.unit,
        advice: { explicitBucketBoundaries: [...throttle.buckets] },
      });
      source.onThrottle((labels, seconds) => histogram.record(seconds, attributesOf(labels)));
    },
  };
}
