// Test helper: one event stream that touches every family, label and cap, played into a recorder.
import { createProxyStats } from '../../src/capture/proxy/proxy-stats.js';
import { createProxyMetricSource } from '../../src/exporter/proxy-metrics.js';
import { createSeriesSources } from '../../src/exporter/series-sources.js';
import { createServerMetricSource } from '../../src/exporter/server-metrics.js';
import type { RecorderSink } from '../../src/record/metric-source.js';
import type { BrokerEndpoint, CaptureRecorder } from '../../src/events.js';

export const BROKER_1: BrokerEndpoint = { clientId: 'orders-service', host: '127.0.0.1', port: 9092 };
export const BROKER_2: BrokerEndpoint = { clientId: 'orders-service', host: 'kafka-2.internal', port: 9093 };
/** The same connection as BROKER_1 after a reconnect: a new object, the same series. */
export const BROKER_1_AGAIN: BrokerEndpoint = { ...BROKER_1 };

/** Plays a realistic mix: responses, per-partition errors (retried), throttling, errors reaching the app. */
export function playStandardStream(recorder: CaptureRecorder): void {
  for (let i = 0; i < 50; i++) recorder.response(BROKER_1, 0); // Produce
  for (let i = 0; i < 20; i++) recorder.response(BROKER_2, 1); // Fetch
  for (let i = 0; i < 5; i++) recorder.response(BROKER_1_AGAIN, 3); // Metadata
  recorder.response(BROKER_1, 999); // an API key outside the table
  recorder.responseError(BROKER_1, 0, 6, 'orders');
  recorder.responseError(BROKER_1, 0, 6, 'orders');
  recorder.responseError(BROKER_1_AGAIN, 0, 6, 'payments');
  recorder.responseError(BROKER_2, 1, 3, 'orders');
  recorder.responseError(BROKER_1, 3, 29, 'secret-topic');
  recorder.responseError(BROKER_1, 0, 47);
  recorder.responseError(BROKER_1, 0, 0); // success is never an error
  recorder.responseError(BROKER_2, 1, 9999, 'orders', 'a message that must never become a label');
  recorder.throttle(BROKER_1, 0, 12);
  recorder.throttle(BROKER_1, 0, 250);
  recorder.throttle(BROKER_1, 0, 0); // not throttled
  recorder.throttle(BROKER_2, 1, 90_000);
  recorder.requestDuringThrottle(BROKER_1, 0); // a client that did not wait
  recorder.requestDuringThrottle(BROKER_1_AGAIN, 0);
  recorder.operationError({ clientId: 'orders-service', operation: 'send', origin: 'broker', code: 29 });
  recorder.operationError({ clientId: 'orders-service', operation: 'send', origin: 'client', code: 13 });
  recorder.operationError({
    clientId: 'orders-service',
    operation: 'consume',
    origin: 'client',
    code: -1,
    clientErrorType: 'KafkaJSNumberOfRetriesExceeded',
  });
  recorder.captureFailure('decode');
  recorder.undecodableFrame('truncated');
  recorder.undecodableFrame('truncated');
}

/**
 * `sinks`, also reading the protocol proxy's self-metrics from a proxy that has forwarded a little, and the HTTP
 * server's from a server that closed a few connections, as `serve` with a proxy wires them: so every family of
 * the metric table has series.
 */
export function withSelfMetricSources(sinks: readonly RecorderSink[]): RecorderSink[] {
  const stats = createProxyStats();
  Object.assign(stats, { clientConnections: 2, upstreamConnections: 3, listeners: 4, bytesToUpstream: 1000 });
  Object.assign(stats, {
    bytesToClient: 5000,
    requestFrames: 10,
    responseFrames: 9,
    upstreamConnectFailures: 1,
  });
  stats.rewrites.broker_addresses = 3;
  stats.closed.malformed_request = 1;
  const sources = createSeriesSources();
  sources.add(createProxyMetricSource(stats));
  sources.add(createServerMetricSource({ open: 2, closed: { header_timeout: 3, connection_limit: 1 } }));
  return sinks.map((sink) => sources.wrap(sink));
}
