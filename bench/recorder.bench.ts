// Recorder throughput: capture events through the recorder (with a prom-client sink attached) vs the same events
// as a bare prom-client `counter.inc(labels)` loop with pre-built label objects.
import { Counter, Registry } from 'prom-client';
import { apiName } from '../src/codes/api-names.js';
import type { BrokerEndpoint } from '../src/events.js';
import { createRecorder } from '../src/record/recorder.js';
import type { Recorder } from '../src/record/recorder.js';
import { METRICS } from '../src/sinks/names.js';
import { createPrometheusSink } from '../src/sinks/prometheus.js';
import type { Benchmark } from './benchmark.js';
import { benchClassifier, benchCodes } from './bench-codes.js';

const EVENTS = 1_000_000;
const API_KEYS = [0, 1, 3, 8, 9, 10, 12];
const ERROR_CODES = [6, 3, 7, 13, 22, 27, 15];

/** 2 client ids × 4 brokers; 9 in 10 events are responses, 1 in 10 a per-partition error. */
const endpoints: BrokerEndpoint[] = ['orders', 'billing'].flatMap((clientId) =>
  [9092, 9093, 9094, 9095].map((port) => ({ clientId, host: `kafka-${port - 9091}.internal`, port })),
);
const stream = Array.from({ length: EVENTS }, (_, i) => ({
  endpoint: i % endpoints.length,
  apiKey: API_KEYS[(i >> 3) % API_KEYS.length]!,
  code: i % 10 === 9 ? ERROR_CODES[(i >> 4) % ERROR_CODES.length]! : 0,
}));
const endpointOf = new Int32Array(stream.map((e) => e.endpoint));
const apiKeyOf = new Int32Array(stream.map((e) => e.apiKey));
const codeOf = new Int32Array(stream.map((e) => e.code));

let recorder: Recorder;
let responses: Counter;
let errors: Counter;
let labels: Record<string, string>[];

const benchmark: Benchmark = {
  name: 'recorder events/s (90% responses, 10% errors)',
  measure: 'throughput',
  unit: 'event',
  target: 5,
  baselineName: 'prom-client counter.inc(labels)',
  setup() {
    recorder = createRecorder({
      classifier: benchClassifier(),
      codes: benchCodes,
      sinks: [createPrometheusSink()],
    });
    const registry = new Registry();
    const r = METRICS.responses;
    const e = METRICS.responseErrors;
    responses = new Counter({ name: r.name, help: r.help, labelNames: r.labels, registers: [registry] });
    errors = new Counter({ name: e.name, help: e.help, labelNames: e.labels, registers: [registry] });
    const classifier = benchClassifier();
    // One pre-built label object per event, as a caller that caches label objects would hold them.
    labels = stream.map(({ endpoint, apiKey, code }) => {
      const ep = endpoints[endpoint]!;
      const base = {
        kafka_api_name: apiName(apiKey),
        messaging_client_id: ep.clientId,
        server_address: ep.host,
        server_port: String(ep.port),
      };
      if (code === 0) return base;
      const c = classifier.classify(code);
      return {
        kafka_error_code: c.codeLabel,
        error_type: c.name,
        kafka_error_category: c.category,
        kafka_error_retriable: c.retriableLabel,
        ...base,
      };
    });
  },
  baseline() {
    for (let i = 0; i < EVENTS; i++) {
      if (codeOf[i] === 0) responses.inc(labels[i]!);
      else errors.inc(labels[i]!);
    }
    return EVENTS;
  },
  candidate() {
    for (let i = 0; i < EVENTS; i++) {
      const code = codeOf[i]!;
      if (code === 0) recorder.response(endpoints[endpointOf[i]!]!, apiKeyOf[i]!);
      else recorder.responseError(endpoints[endpointOf[i]!]!, apiKeyOf[i]!, code);
    }
    return EVENTS;
  },
};

export default benchmark;
