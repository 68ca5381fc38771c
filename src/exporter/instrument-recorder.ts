// Builds the recorder behind `instrument()` from its options: a prom-client registry, an OpenTelemetry meter
// provider, sinks, or a recorder the caller already has.
import type { MeterProvider } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { createClassifier } from '../codes/classify.js';
import { ERROR_CODES } from '../codes/registry.js';
import type { CaptureRecorder } from '../events.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { RecorderSink } from '../record/metric-source.js';
import { createRecorder } from '../record/recorder.js';
import type { CardinalityLimits } from '../metrics/cardinality.js';
import { METRICS } from '../metrics/names.js';
import { createOpenTelemetrySink } from '../sinks/opentelemetry.js';
import { createPrometheusSink } from '../sinks/prometheus.js';

/** Where the metrics go, and how they are labelled. One of `registry`, `meterProvider`, `sinks`, `recorder`. */
export interface RecorderChoice {
  /** A prom-client registry to register the metric families into (Prometheus text or OpenMetrics). */
  readonly registry?: Registry;
  /** An OpenTelemetry meter provider to create the instruments on. */
  readonly meterProvider?: MeterProvider;
  /** Sinks made with `createPrometheusSink` / `createOpenTelemetrySink`, in addition to the two above. */
  readonly sinks?: readonly RecorderSink[];
  /**
   * A recorder to report to instead, e.g. `handle.recorder` of an earlier `instrument()` so that several
   * `Kafka` instances share one set of series. The options below then do not apply.
   */
  readonly recorder?: CaptureRecorder;
  /** Label response errors with their topic (`messaging_destination_name`), capped. @default false */
  readonly topicLabel?: boolean;
  /** Category overrides by code (`"27"`) or name (`"REBALANCE_IN_PROGRESS"`), e.g. `{ 27: 'fatal' }`. */
  readonly categoryOverrides?: Readonly<Record<string, string>>;
  /** Cardinality caps of the open-ended labels. */
  readonly limits?: Partial<CardinalityLimits>;
  /** Distinct unknown error codes labelled with their own number. @default 50 */
  readonly maxUnknownCodes?: number;
  /** Where warnings go (a pino logger fits). @default silent */
  readonly logger?: Logger;
}

/** The recorder, and how to take back what building it registered. */
export interface InstrumentRecorder {
  readonly recorder: CaptureRecorder;
  /** Removes the families registered into the user's prom-client registry; idempotent. */
  release(): void;
}

/**
 * Builds the recorder for `instrument()`.
 * @throws Error when no destination is given, or on an invalid override or cap (the message names it).
 */
export function createInstrumentRecorder(choice: RecorderChoice): InstrumentRecorder {
  if (choice.recorder !== undefined) return { recorder: choice.recorder, release() {} };
  const sinks: RecorderSink[] = [...(choice.sinks ?? [])];
  if (choice.registry !== undefined) sinks.push(createPrometheusSink({ registry: choice.registry }));
  if (choice.meterProvider !== undefined) {
    sinks.push(createOpenTelemetrySink({ meterProvider: choice.meterProvider }));
  }
  if (sinks.length === 0) {
    throw new Error(
      'kafka-error-exporter: instrument() needs somewhere to record: pass { registry } (prom-client), ' +
        '{ meterProvider } (OpenTelemetry), { sinks } or { recorder }',
    );
  }
  const logger = choice.logger ?? silentLogger;
  const classifier = createClassifier({
    ...(choice.categoryOverrides === undefined ? {} : { overrides: choice.categoryOverrides }),
    ...(choice.maxUnknownCodes === undefined ? {} : { maxUnknownCodes: choice.maxUnknownCodes }),
    logger,
  });
  const recorder = createRecorder({
    classifier,
    codes: ERROR_CODES,
    sinks,
    topicLabel: choice.topicLabel ?? false,
    ...(choice.limits === undefined ? {} : { limits: choice.limits }),
    logger,
  });
  const registry = choice.registry;
  let released = false;
  return {
    recorder,
    release() {
      if (released || registry === undefined) return;
      released = true;
      // An OpenMetrics registry holds counters under their name without `_total` (see sinks/prometheus.ts).
      for (const def of Object.values(METRICS)) {
        registry.removeSingleMetric(def.name);
        registry.removeSingleMetric(def.name.replace(/_total$/, ''));
      }
    },
  };
}
