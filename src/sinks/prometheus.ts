// The prom-client sink. Emits every family of names.ts with the labels listed there:
//   kafka_client_response_errors_total   {kafka_error_code, error_type, kafka_error_category, kafka_error_retriable,
//                                         kafka_api_name, messaging_client_id, server_address, server_port
//                                         [, messaging_destination_name]}
//   kafka_client_operation_errors_total  {error class…, kafka_error_origin, messaging_operation_name, messaging_client_id}
//   kafka_client_responses_total         {kafka_api_name, messaging_client_id, server_address, server_port}
//   kafka_client_throttle_time_seconds   histogram, same labels as responses
//   kafka_error_code_info                {error class…, kafka_error_recovery, kafka_error_description} = 1
//   kafka_error_exporter_build_info {version, nodejs_version}, _capture_failures_total {kind},
//   kafka_error_exporter_undecodable_frames_total {reason}, _label_overflow_total {label}
//
// Values live in the recorder's aggregate; each family is a small object that prom-client's Registry asks for
// values at scrape time. prom-client fixes the format per Registry and renames a shared counter when an
// OpenMetrics registry renders it, so every registry gets its own family objects over the same aggregate.
// That render path (`getForPromString`, `sharedLabels`, `metricName`) is prom-client's, undocumented: the
// dependency is pinned to ~15.1 and test/sinks/prom-client-contract.test.ts fails if a release changes it.
import { Registry } from 'prom-client';
import type { Metric, OpenMetricsContentType, PrometheusContentType, RegistryContentType } from 'prom-client';
import type { MetricSource, RecorderSink, ScalarFamily, SeriesLabels } from '../record/metric-source.js';
import { negotiateFormat, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './exposition.js';
import type { MetricsEndpoint, MetricsResponse } from './exposition.js';
import { METRICS } from '../metrics/names.js';
import type { MetricDefinition, MetricKey } from '../metrics/names.js';

/** Options of `createPrometheusSink`. */
export interface PrometheusSinkOptions {
  /**
   * A registry to register the families into as well, in its own format (Prometheus text or OpenMetrics).
   * Throws at attach time if it already holds a metric of the same name.
   */
  readonly registry?: Registry<RegistryContentType>;
}

/**
 * A prom-client sink: pass it to `createRecorder`, then scrape `registry` (with the user's other metrics) or call
 * `metricsResponse(accept)` (this sink's families only, in the negotiated format).
 */
export interface PrometheusSink extends RecorderSink, MetricsEndpoint {
  /** The user's registry, or the sink's own Prometheus-text registry. */
  readonly registry: Registry<RegistryContentType>;
  /** The sink's own registries, one per format, holding only this sink's families. */
  readonly registries: {
    readonly prometheus: Registry<PrometheusContentType>;
    readonly openmetrics: Registry<OpenMetricsContentType>;
  };
}

interface PromValue {
  value: number;
  labels: Record<string, string>;
  sharedLabels?: SeriesLabels;
  metricName?: string;
}

/** What prom-client's Registry asks a metric for at render time. */
interface FamilyData {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: PromValue[];
}

/** The duck type of a prom-client metric as its Registry uses it. */
interface PromFamily {
  name: string;
  help: string;
  type: string;
  aggregator: 'sum' | 'first';
  get(): Promise<FamilyData>;
  getForPromString(): Promise<FamilyData>;
  reset(): void;
}

const NO_LABELS: Record<string, string> = Object.freeze({});

/** `le` label objects of the throttle buckets, shared by every series (prom-client puts `le` first too). */
function bucketLabels(bounds: readonly number[]): Record<string, string>[] {
  return [...bounds.map((b) => String(b)), '+Inf'].map((le) => Object.freeze({ le }));
}

/** One family as a prom-client metric object reading `source`. `openMetrics` drops `_total` from counters. */
function family(key: MetricKey, source: MetricSource, openMetrics: boolean): PromFamily {
  const def: MetricDefinition = METRICS[key];
  const name = openMetrics && def.type === 'counter' ? def.name.replace(/_total$/, '') : def.name;
  const head = { name, help: def.help, type: def.type, aggregator: def.type === 'gauge' ? 'first' : 'sum' };
  const le = bucketLabels(def.buckets ?? []);
  const bucketName = `${name}_bucket`;
  const sumName = `${name}_sum`;
  const countName = `${name}_count`;

  // For the text renderer: labels go in `sharedLabels`, whose formatted form prom-client caches by identity.
  function values(): PromValue[] {
    const out: PromValue[] = [];
    if (def.type === 'histogram') {
      source.forEachHistogram((labels, h) => {
        let cumulative = 0;
        for (let i = 0; i < h.counts.length; i++) {
          cumulative += h.counts[i]!;
          out.push({ value: cumulative, labels: le[i]!, sharedLabels: labels, metricName: bucketName });
        }
        out.push({ value: h.sum, labels: NO_LABELS, sharedLabels: labels, metricName: sumName });
        out.push({ value: h.count, labels: NO_LABELS, sharedLabels: labels, metricName: countName });
      });
    } else {
      source.forEachSeries(key as ScalarFamily, (labels, value) => {
        out.push({ value, labels: NO_LABELS, sharedLabels: labels });
      });
    }
    return out;
  }

  return {
    ...head,
    // Registered under the full name, as prom-client's own counters are; the data carries the format's name.
    name: def.name,
    aggregator: head.aggregator as 'sum' | 'first',
    async getForPromString() {
      return { ...head, values: values() };
    },
    // For getMetricsAsJSON and cluster aggregation: plain `labels`, as prom-client's own metrics give them.
    async get() {
      const splayed = values().map(({ value, labels, sharedLabels, metricName }) => ({
        value,
        labels: { ...labels, ...sharedLabels },
        ...(metricName === undefined ? {} : { metricName }),
      }));
      return { ...head, values: splayed };
    },
    // The recorder owns the values; a registry reset cannot rewind them.
    reset() {},
  };
}

function registerAll(registry: Registry<RegistryContentType>, source: MetricSource): void {
  const openMetrics = registry.contentType === Registry.OPENMETRICS_CONTENT_TYPE;
  const keys = Object.keys(METRICS) as MetricKey[];
  for (const key of keys) {
    const { name } = METRICS[key];
    // An OpenMetrics registry renames counters on render: a clash may sit under either name.
    if (registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_total$/, ''))) {
      throw new Error(`A metric with the name ${name} has already been registered.`);
    }
  }
  for (const key of keys) registry.registerMetric(family(key, source, openMetrics) as unknown as Metric);
}

/**
 * Creates a prom-client sink. Its families appear in its own registries (one per format, for
 * `metricsResponse`) and, when given, in `options.registry`. Nothing is registered before a recorder attaches.
 */
export function createPrometheusSink(options: PrometheusSinkOptions = {}): PrometheusSink {
  // prom-client 15's typings omit the constructor's content-type argument; setContentType is typed.
  const openmetrics = new Registry<OpenMetricsContentType>();
  openmetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const registries = { prometheus: new Registry<PrometheusContentType>(), openmetrics };
  let attached = false;
  return {
    registry: options.registry ?? registries.prometheus,
    registries,
    attach(source) {
      if (attached) throw new Error('This Prometheus sink is already attached to a recorder');
      attached = true;
      if (options.registry) registerAll(options.registry, source);
      registerAll(registries.prometheus, source);
      registerAll(registries.openmetrics, source);
    },
    async metricsResponse(accept?: string): Promise<MetricsResponse> {
      return negotiateFormat(accept) === 'openmetrics'
        ? { contentType: OPENMETRICS_CONTENT_TYPE, body: await registries.openmetrics.metrics() }
        : { contentType: PROMETHEUS_CONTENT_TYPE, body: await registries.prometheus.metrics() };
    },
  };
}
