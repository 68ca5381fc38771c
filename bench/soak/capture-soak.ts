// Child process of the soak bench: one million broker responses through the capture path of an instrumented
// client (connection tap → recorder → prom-client sink), bounded labels; prints RSS after 10,000 and after all.
import { createConnectionTap } from '../../src/capture/protocol/connection-tap.js';
import { lookupCode } from '../../src/codes/registry.js';
import { createRecorder } from '../../src/record/recorder.js';
import { createPrometheusSink } from '../../src/sinks/prometheus.js';
import { silentLogger } from '../../src/logger.js';
import { produceRequest, produceResponse } from './frames.js';

const TOTAL = 1_000_000;
const sink = createPrometheusSink();
const recorder = createRecorder({ sinks: [sink], logger: silentLogger });
// 8 connections (2 client ids × 4 brokers): the label sets stay bounded, as in a steady application.
const taps = Array.from({ length: 8 }, (_, i) =>
  createConnectionTap(
    { clientId: `client-${i % 2}`, host: `kafka-${i % 4}`, port: 9092 },
    {
      recorder,
      topicLabel: false,
      isKnownCode: (code) => lookupCode(code) !== undefined,
      maxFrameBytes: 1 << 20,
      maxPendingRequests: 1024,
      onFailure: () => {},
    },
  ),
);

function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

let early = 0;
for (let i = 0; i < TOTAL; i++) {
  const tap = taps[i % taps.length]!;
  tap.onRequestBytes(produceRequest(i));
  tap.onResponseBytes(produceResponse(i));
  if (i === 10_000) {
    await sink.registry.metrics();
    global.gc?.();
    early = rssMiB();
  }
  if (i % 100_000 === 0) await sink.registry.metrics(); // scraped as Prometheus would
}
await sink.registry.metrics();
global.gc?.();
console.log(JSON.stringify({ early, late: rssMiB(), events: TOTAL }));
