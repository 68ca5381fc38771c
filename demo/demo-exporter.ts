// The demo's exporter: the one `serve` runs (createExporter), on loopback, plus a summary sink the console table
// reads.
import { DEFAULT_OPTIONS } from '../src/config/options.js';
import { createExporter } from '../src/exporter/create-exporter.js';
import type { Logger } from '../src/logger.js';
import type { Recorder } from '../src/record/recorder.js';
import type { PrometheusSink } from '../src/sinks/prometheus.js';
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
  const throttle = createThrottleSummarySink();
  const exporter = createExporter({
    options: { ...DEFAULT_OPTIONS, host: '127.0.0.1', port },
    logger,
    sinks: [throttle],
  });
  const address = await exporter.listen();
  return {
    recorder: exporter.recorder,
    prometheus: exporter.prometheus,
    throttle,
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    async close() {
      await exporter.close(2_000);
    },
  };
}
