// /metrics render time with every default cardinality cap filled, vs a plain prom-client registry holding the
// same series (same families, label sets and values) in ordinary Counter, Gauge and Histogram objects.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BrokerEndpoint } from '../src/events.js';
import { OPERATION_NAMES } from '../src/events.js';
import type { MetricSource, ScalarFamily } from '../src/record/metric-source.js';
import { createRecorder } from '../src/record/recorder.js';
import { CARDINALITY_DEFAULTS } from '../src/metrics/cardinality.js';
import { METRICS } from '../src/metrics/names.js';
import type { MetricKey } from '../src/metrics/names.js';
import { createPrometheusSink } from '../src/sinks/prometheus.js';
import type { PrometheusSink } from '../src/sinks/prometheus.js';
import type { Benchmark } from './benchmark.js';
import { benchClassifier, benchCodes } from './bench-codes.js';

const RENDERS = 5;
const API_KEYS = [0, 1, 2, 3, 8, 9, 10, 11, 12, 14, 18, 19];
const ERROR_CODES = [3, 6, 7, 13, 15, 16, 22, 25, 27, 29];
const OPERATION_CODES = [7, 13, 29];

let sink: PrometheusSink;
let plain: Registry;
let seriesCount = 0;

/**
 * The default caps filled: `brokers` (200) broker addresses spread over `clientIds` (50) client ids, each
 * connection answering 12 APIs, all throttled, with 10 distinct error codes on Produce and Fetch; every
 * client id failing every operation with 3 codes; the full info table. Topics are off, as by default.
 */
function fill(): MetricSource {
  let source: MetricSource | undefined;
  const recorder = createRecorder({
    classifier: benchClassifier(),
    codes: benchCodes,
    sinks: [sink, { attach: (s) => void (source = s) }],
    // The same series as the plain registry, as before the series budget: bench/worst-case-scrape.bench.ts
    // measures the scrape at the default budget.
    limits: { seriesPerFamily: 100_000 },
  });
  const endpoints: BrokerEndpoint[] = Array.from({ length: CARDINALITY_DEFAULTS.brokers }, (_, i) => ({
    clientId: `client-${i % CARDINALITY_DEFAULTS.clientIds}`,
    host: `kafka-${i}.internal`,
    port: 9092,
  }));
  for (const endpoint of endpoints) {
    for (const apiKey of API_KEYS) {
      recorder.response(endpoint, apiKey);
      recorder.throttle(endpoint, apiKey, 20);
    }
    for (const code of ERROR_CODES) recorder.responseError(endpoint, code % 2, code);
  }
  for (let c = 0; c < CARDINALITY_DEFAULTS.clientIds; c++) {
    for (const operation of OPERATION_NAMES) {
      for (const code of OPERATION_CODES) {
        recorder.operationError({ clientId: `client-${c}`, operation, origin: 'broker', code });
      }
    }
  }
  return source!;
}

/** The same series in ordinary prom-client metrics. */
function mirror(source: MetricSource): Registry {
  const registry = new Registry();
  for (const key of Object.keys(METRICS) as MetricKey[]) {
    const def = METRICS[key];
    const config = {
      name: def.name,
      help: def.help,
      labelNames: [...def.labels, ...('optionalLabels' in def ? def.optionalLabels : [])],
      registers: [registry],
    };
    if (def.type === 'histogram') {
      const histogram = new Histogram({ ...config, buckets: [...def.buckets] });
      source.forEachHistogram((labels, h) => {
        h.bounds.forEach((bound, i) => {
          for (let n = 0; n < h.counts[i]!; n++) histogram.observe(labels, bound);
        });
        seriesCount++;
      });
    } else {
      const series: [
        Parameters<MetricSource['forEachSeries']>[1] extends (l: infer L, v: number) => void ? L : never,
        number,
      ][] = [];
      source.forEachSeries(key as ScalarFamily, (labels, value) => void series.push([labels, value]));
      // A family nobody reports (the proxy's and the server's, here) has no series: prom-client would show a
      // label-less one as 0, so it is not created at all.
      if (series.length === 0) continue;
      const metric = def.type === 'counter' ? new Counter(config) : new Gauge(config);
      series.forEach(([labels, value]) => {
        metric.inc(labels, value);
        seriesCount++;
      });
    }
  }
  return registry;
}

const benchmark: Benchmark = {
  name: '/metrics render, default caps filled',
  measure: 'time',
  unit: 'scrape',
  target: 1.5,
  baselineName: 'plain prom-client registry, same series',
  async setup() {
    sink = createPrometheusSink();
    plain = mirror(fill());
    const [ours, theirs] = [await sink.registry.metrics(), await plain.metrics()];
    const samples = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    if (samples(ours) !== samples(theirs)) throw new Error('the two registries hold different series');
    process.stderr.write(`  ${seriesCount} series, ${samples(ours)} samples per scrape\n`);
  },
  async baseline() {
    for (let i = 0; i < RENDERS; i++) await plain.metrics();
    return RENDERS;
  },
  async candidate() {
    for (let i = 0; i < RENDERS; i++) await sink.metricsResponse();
    return RENDERS;
  },
};

export default benchmark;
