// `npm run demo -- --proxy`: the sidecar's Kafka protocol proxy in the demo's process, built as
// `serve --proxy-upstream` builds it (createExporter + startProxySidecar), with an exporter of its own so that
// its counts stay apart from the in-process capture's and the table can show both.
import { DEFAULT_OPTIONS } from '../src/config/options.js';
import type { ExporterOptions } from '../src/config/options.js';
import { createExporter } from '../src/exporter/create-exporter.js';
import { startProxySidecar } from '../src/exporter/proxy-sidecar.js';
import type { ProxySidecar } from '../src/exporter/proxy-sidecar.js';
import type { Logger } from '../src/logger.js';
import type { Recorder } from '../src/record/recorder.js';
import { freePort } from '../test/support/kafka/kafka-broker.js';
import { createThrottleSummarySink } from './throttle-summary.js';
import type { ThrottleSummarySink } from './throttle-summary.js';

/** Broker listeners after the bootstrap port: the demo's single broker is node 1, on bootstrap + 2. */
const BROKER_PORTS = 10;

/** A running proxy and its exporter. */
export interface DemoProxy {
  /** The proxy's counts: read `errorSummary()` for the table. */
  readonly recorder: Recorder;
  readonly summary: ThrottleSummarySink;
  /** `127.0.0.1:<port>`: a client's bootstrap servers. */
  readonly bootstrap: string;
  /** The proxy exporter's own /metrics, as the sidecar would serve it. */
  readonly url: string;
  /** Closes the listeners, cuts the connections left after a short grace, stops the server. Safe twice. */
  close(): Promise<void>;
}

/**
 * Starts a proxy in front of `upstream` (`host:port`) on free loopback ports, and its exporter's HTTP server.
 * Rejects when a port is taken meanwhile (the listen error).
 */
export async function startDemoProxy(upstream: string, logger: Logger): Promise<DemoProxy> {
  const [host = '127.0.0.1', port = '9092'] = upstream.split(':');
  const bootstrapPort = await freePort();
  const options: ExporterOptions = {
    ...DEFAULT_OPTIONS,
    host: '127.0.0.1',
    port: 0,
    proxyUpstream: [{ host, port: Number(port) }],
    proxyListen: { host: '127.0.0.1', port: bootstrapPort },
    proxyBrokerPorts: { first: bootstrapPort + 1, last: bootstrapPort + BROKER_PORTS },
  };
  const summary = createThrottleSummarySink();
  const exporter = createExporter({ options, logger, sinks: [summary] });
  const address = await exporter.listen();
  let sidecar: ProxySidecar;
  try {
    sidecar = await startProxySidecar(exporter, options, logger);
  } catch (error) {
    await exporter.close(0);
    throw error;
  }
  return {
    recorder: exporter.recorder,
    summary,
    bootstrap: `${sidecar.bootstrap.host}:${sidecar.bootstrap.port}`,
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await sidecar.proxy.close(1_000);
      await exporter.close(2_000);
    },
  };
}
