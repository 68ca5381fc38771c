// The worst-case /metrics scrape at the default caps and series budget: size, samples, render time, memory,
// against the same fleet with no budget. `npm run bench worst-case` prints the table docs/metrics.md quotes.
import { performance } from 'node:perf_hooks';
import type { CaptureRecorder } from '../src/events.js';
import { CARDINALITY_DEFAULTS } from '../src/metrics/cardinality.js';
import { createRecorder } from '../src/record/recorder.js';
import { createPrometheusSink } from '../src/sinks/prometheus.js';
import type { Benchmark } from './benchmark.js';
import { benchClassifier, benchCodes } from './bench-codes.js';

const API_KEYS = [0, 1, 2, 3, 8, 9, 10, 11, 12, 14, 18, 19];
const CODES = [3, 6, 7, 13, 15, 16, 22, 25, 27, 29];
const RENDERS = 5;
/** The bound docs/metrics.md states for one scrape at the default budget. */
const TARGET_MS = 1000;

/** Every client id talks to every broker (50 × 200): each pair answers, throttles and fails on every API. */
function playFleet(recorder: CaptureRecorder): void {
  for (let c = 0; c < CARDINALITY_DEFAULTS.clientIds; c++) {
    for (let b = 0; b < CARDINALITY_DEFAULTS.brokers; b++) {
      const endpoint = { clientId: `client-${c}`, host: `kafka-${b}.internal`, port: 9092 };
      for (const apiKey of API_KEYS) {
        recorder.response(endpoint, apiKey);
        recorder.throttle(endpoint, apiKey, 20);
        recorder.requestDuringThrottle(endpoint, apiKey);
        for (const code of CODES) recorder.responseError(endpoint, apiKey, code);
      }
    }
    for (const code of CODES) {
      recorder.operationError({ clientId: `client-${c}`, operation: 'send', origin: 'broker', code });
    }
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

interface Scrape {
  readonly name: string;
  readonly samples: number;
  readonly bytes: number;
  readonly renderMs: number;
  readonly heapMiB: number;
}

async function measure(name: string, seriesPerFamily: number): Promise<Scrape> {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const sink = createPrometheusSink();
  const recorder = createRecorder({
    classifier: benchClassifier(),
    codes: benchCodes,
    sinks: [sink],
    limits: { seriesPerFamily },
  });
  playFleet(recorder);
  let body = '';
  const times: number[] = [];
  let peak = 0;
  for (let i = 0; i < RENDERS; i++) {
    const start = performance.now();
    body = String((await sink.metricsResponse('text/plain')).body);
    times.push(performance.now() - start);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  times.sort((a, b) => a - b);
  const samples = body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  return {
    name,
    samples,
    bytes: Buffer.byteLength(body),
    renderMs: times[Math.floor(RENDERS / 2)]!,
    heapMiB: (peak - heapBefore) / 2 ** 20,
  };
}

export async function report(): Promise<{ table: string; pass: boolean }> {
  const budget = CARDINALITY_DEFAULTS.seriesPerFamily;
  const bounded = await measure(`series budget ${budget} (default)`, budget);
  // Without a budget this fleet is about 3.5 million samples: past V8's longest string, it does not render.
  let before = '| no budget (before) | - | does not render | - | - | - |';
  try {
    const s = await measure('no budget (before)', Number.MAX_SAFE_INTEGER);
    before = `| ${s.name} | ${s.samples} | ${mib(s.bytes)} | ${s.renderMs.toFixed(0)} ms | ${s.heapMiB.toFixed(0)} MiB | - |`;
  } catch (error) {
    before = `| no budget (before) | - | does not render: ${(error as Error).message} | - | - | - |`;
  }
  const pass = bounded.renderMs <= TARGET_MS;
  const table = [
    `| worst-case scrape (50 client ids × 200 brokers × 12 APIs × 10 codes) | samples | size | render (median of ${RENDERS}) | heap peak | target <= ${TARGET_MS} ms |`,
    '|---|---|---|---|---|---|',
    `| ${bounded.name} | ${bounded.samples} | ${mib(bounded.bytes)} | ${bounded.renderMs.toFixed(0)} ms | ${bounded.heapMiB.toFixed(0)} MiB | ${pass ? 'ok' : 'MISSED'} |`,
    before,
  ].join('\n');
  return { table, pass };
}

const none: Benchmark[] = [];
export default none;
