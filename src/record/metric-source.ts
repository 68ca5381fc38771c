// The seam between recording and exporting: what a sink reads from the recorder's aggregate at collection time.
import type { LabelName } from '../metrics/names.js';

/**
 * One series' labels, keyed by Prometheus label name, in exposition order. Built once per series and never
 * mutated, so sinks may cache what they derive from it by identity (a formatted string, OTel attributes).
 */
export type SeriesLabels = Readonly<Partial<Record<LabelName, string>>>;

/** The families a sink reads as one number per series (counters and the two info gauges). */
export type ScalarFamily =
  | 'responses'
  | 'requestsDuringThrottle'
  | 'responseErrors'
  | 'operationErrors'
  | 'errorCodeInfo'
  | 'buildInfo'
  | 'captureFailures'
  | 'undecodableFrames'
  | 'labelOverflow'
  | 'seriesOverflow'
  | 'proxyConnections'
  | 'proxyListeners'
  | 'proxyBytes'
  | 'proxyFrames'
  | 'proxyRewrites'
  | 'proxyClosedConnections'
  | 'proxyUpstreamConnectFailures'
  | 'proxyUnmappedBrokers'
  | 'httpConnections'
  | 'httpClosedConnections';

/** A throttle histogram's state: per-bucket (not cumulative) counts, the last slot is `+Inf`. */
export interface HistogramSnapshot {
  /** Bucket upper bounds, ascending, without `+Inf`. */
  readonly bounds: readonly number[];
  /** `bounds.length + 1` counts; index i counts observations in (bounds[i-1], bounds[i]]. */
  readonly counts: ArrayLike<number>;
  readonly sum: number;
  readonly count: number;
}

/** Called for each throttled response, for sinks that must record a histogram synchronously (OpenTelemetry). */
export type ThrottleListener = (labels: SeriesLabels, seconds: number) => void;

/** What a recorder offers its sinks: read-only walks over the aggregate, and throttle observations. */
export interface MetricSource {
  /** Visits every series of a scalar family with its current (cumulative) value. */
  forEachSeries(family: ScalarFamily, visit: (labels: SeriesLabels, value: number) => void): void;
  /** Visits every series of the throttle-time histogram. */
  forEachHistogram(visit: (labels: SeriesLabels, histogram: HistogramSnapshot) => void): void;
  /** Subscribes to throttled responses; returns an unsubscribe function. */
  onThrottle(listener: ThrottleListener): () => void;
}

/**
 * A source of scalar families other than the recorder's, e.g. the protocol proxy's self-metrics: it visits only
 * the families it owns, and nothing for the others. Each family it reports must be declared in
 * `src/metrics/names.ts` (name, help, type, labels) and its key listed in `ScalarFamily`, so that both sinks and
 * docs/metrics.md know it. Called at collection time; must be fast and must not throw.
 */
export type SeriesSource = Pick<MetricSource, 'forEachSeries'>;

/** A metrics backend a recorder records into. */
export interface RecorderSink {
  /** Called once by the recorder that records into this sink. Throws if the sink is already attached. */
  attach(source: MetricSource): void;
}
