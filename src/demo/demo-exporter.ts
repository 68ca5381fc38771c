// The demo's exporter: the same pieces `serve` assembles (classifier, recorder, prom-client sink, HTTP server),
// on loopback, plus a summary sink the console table reads.
import { createClassifier } from '../codes/classify.js';
import { ERROR_CODES, toErrorCodeJson } from '../codes/registry.js';
import type { Logger } from '../logger.js';
import { PACKAGE_VERSION } from '../record/build-info.js';
import { createRecorder } from '../record/recorder.js';
import type { Recorder } from '../record/recorder.js';
import { createExporterServer } from '../server/exporter-server.js';
import { createPrometheusSink } from '../sinks/prometheus.js';
import type { PrometheusSink } from '../sinks/prometheus.js';
import { createThrottleSummarySink } from './throttle-summary.js';
import type { ThrottleSummarySink } from './throttle-summary.js';

/** A listening exporter and what the workload and the table need from it. */
export interface DemoExporter {
  /** Pass it to `instrument(kafka, { recorder })`. */
  readonly recorder: Recorder;
  readonly prometheus: PrometheusSink;
  readonly throttle: ThrottleSummarySink;
  /** e.g. `http://127.0.0.1:9464` */
  readonly url: string;
  readonly port: number;
  /** Closes the server, letting an in-flight scrape finish (bounded). Safe to call twice. */
  close(): Promise<void>;
}

/** Builds the exporter and starts listening on 127.0.0.1:`port`. Rejects with the socket error (EADDRINUSE…). */
export async function startDemoExporter(port: number, logger: Logger): Promise<DemoExporter> {
  const classifier = createClassifier({ logger });
  const prometheus = createPrometheusSink();
  const throttle = createThrottleSummarySink();
  const recorder = createRecorder({ classifier, codes: ERROR_CODES, sinks: [prometheus, throttle], logger });
  const codes = ERROR_CODES.map((entry) => toErrorCodeJson(entry));
  const server = createExporterServer({
    host: '127.0.0.1',
    port,
    tls: null,
    basicAuthUsers: null,
    logger,
    metrics: prometheus,
    errors: recorder,
    codes: { codes: () => codes },
    build: { version: PACKAGE_VERSION, nodeVersion: process.version },
  });
  const address = await server.listen();
  return {
    recorder,
    prometheus,
    throttle,
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    async close() {
      await server.close(2_000);
    },
  };
}
