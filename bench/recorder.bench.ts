// Recorder throughput: capture events through the recorder (with a prom-client sink attached) vs the same events
// as a bare prom-client `counter.inc(labels)` loop with pre-built label objects.
import { Counter, Registry } from 'prom-client';
import { apiName } from '../src/codes/api-names.js';
import type { BrokerEndpoint } from '../src/events.js';
import { createRecorder } from '../src/record/recorder.js';
import type { Recorder } from '../src/record/recorder.js';
import { METRICS } from '../src/metrics/names.js';
import { createPrometheusSink } from '../src/sinks/prometheus.js';
import type { Benchmark } from './benchmark.js';
import { benchClassifier, benchCodes } from './bench-codes.js';

const EVENTS = 1_000_000;
const API_KEYS = [0, 1, 3, 8, 9, 10, 12];
const ERROR_CODES = [6, 3, 7, 13, 22, 27, 15];

/** 2 client ids × 4 brokers, 7 APIs; one event in ten carries a per-partition error code. */
const endpoints: BrokerEndpoint[] = ['orders', 'billing'].flatMap((clientId) =>
  [9092, 9093, 9094, 9095].map((port) => ({ clientId, host: `kafka-${port - 9091}.internal`, port })),
);
const endpointOf = new Int32Array(EVENTS).map((_, i) => i % endpoints.length);
const apiKeyOf = new Int32Array(EVENTS).map((_, i) => API_KEYS[(i >> 3) % API_KEYS.length]!);
const codeOf = new Int32Array(EVENTS).map((_, i) =>
  i % 10 === 9 ? ERROR_CODES[(i >> 4) % ERROR_CODES.length]! : 0,
);

let recorder: Recorder;
let responses: Counter;
let errors: Counter;
/** One pre-built label object per event, as a caller that caches its label objects would hold them. */
let responseLabels: Record<string, string>[];
let errorLabels: Record<string, string>[];

function setup(): void {
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
  responseLabels = [];
  errorLabels = [];
  for (let i = 0; i < EVENTS; i++) {
    const endpoint = endpoints[endpointOf[i]!]!;
    const base = {
      kafka_api_name: apiName(apiKeyOf[i]!),
      messaging_client_id: endpoint.clientId,
      server_address: endpoint.host,
      server_port: String(endpoint.port),
    };
    responseLabels.push(base);
    const c = classifier.classify(codeOf[i]!);
    errorLabels.push({
      kafka_error_code: c.codeLabel,
      error_type: c.name,
      kafka_error_category: c.category,
      kafka_error_retriable: c.retriableLabel,
      ...base,
    });
  }
}

/** The same events through the recorder and through the bare loop; without errors every event is a response. */
function recorderBenchmark(name: string, withErrors: boolean): Benchmark {
  return {
    name,
    measure: 'throughput',
    unit: 'event',
    target: 5,
    baselineName: 'prom-client counter.inc(labels)',
    setup,
    baseline() {
      for (let i = 0; i < EVENTS; i++) {
        if (withErrors && codeOf[i] !== 0) errors.inc(errorLabels[i]!);
        else responses.inc(responseLabels[i]!);
      }
      return EVENTS;
    },
    candidate() {
      for (let i = 0; i < EVENTS; i++) {
        if (withErrors && codeOf[i] !== 0) {
          recorder.responseError(endpoints[endpointOf[i]!]!, apiKeyOf[i]!, codeOf[i]!);
        } else recorder.response(endpoints[endpointOf[i]!]!, apiKeyOf[i]!);
      }
      return EVENTS;
    },
  };
}

export default [
  recorderBenchmark('recorder.response() events/s', false),
  recorderBenchmark('recorder events/s, 10% response errors', true),
];
