// The one composition root: classifier, recorder, sinks and HTTP server, wired from one options object.
// `serve`, zero-code `register`, the demo and the tests build their exporter here and nowhere else.
import { createClassifier } from '../codes/classify.js';
import { ERROR_CODES, toErrorCodeJson } from '../codes/registry.js';
import type { ErrorCodeJson } from '../codes/registry.js';
import type { ExporterOptions } from '../config/options.js';
import { NO_WEB_CONFIG } from '../config/web-config.js';
import type { WebConfig } from '../config/web-config.js';
import type { Logger } from '../logger.js';
import { PACKAGE_VERSION } from '../record/build-info.js';
import type { RecorderSink, SeriesSource } from '../record/metric-source.js';
import { createRecorder } from '../record/recorder.js';
import type { Recorder } from '../record/recorder.js';
import { createExporterServer } from '../server/exporter-server.js';
import type { ExporterServer, ListenAddress } from '../server/exporter-server.js';
import type { MetricsEndpoint } from '../sinks/exposition.js';
import { createPrometheusSink } from '../sinks/prometheus.js';
import type { PrometheusSink } from '../sinks/prometheus.js';
import type { OtlpPush } from './otlp-push.js';
import { createSeriesSources } from './series-sources.js';
import { createServerMetricSource } from './server-metrics.js';

/** Options of {@link createExporter}. */
export interface CreateExporterOptions {
  /**
   * The resolved options (`resolveOptions`), or `DEFAULT_OPTIONS` with changes. Read here: `host`, `port`,
   * `categoryOverrides`, `unknownCodeCap`, `topicLabel`, the four label caps and `shutdownTimeout` (the default
   * bound of `close`).
   */
  readonly options: ExporterOptions;
  /** TLS and basic auth of the server (`loadWebConfig`). @default NO_WEB_CONFIG */
  readonly web?: WebConfig;
  readonly logger: Logger;
  /** Sinks to record into besides the exporter's prom-client sink (the demo's summary). @default [] */
  readonly sinks?: readonly RecorderSink[];
  /** An OTLP push (`startOtlpPush`): its sink is recorded into, and `close` flushes it. @default none */
  readonly otlp?: OtlpPush | null;
  /**
   * What renders `/metrics`. @default the exporter's prom-client sink (Prometheus text or OpenMetrics); the
   * end-to-end tests pass an OpenTelemetry pipeline recorded into through `sinks`.
   */
  readonly metricsEndpoint?: MetricsEndpoint;
  /** Do not keep the process alive for the server (the in-application `register` entry). @default false */
  readonly unref?: boolean;
}

/** How a close went. */
export interface ExporterClosed {
  /** `false` when connections were still open at the deadline and had to be cut. */
  readonly graceful: boolean;
  /** `false` when the OTLP push did not flush before the deadline; `true` without a push. */
  readonly otlpFlushed: boolean;
}

/** A built exporter. Nothing listens until {@link Exporter.listen}. */
export interface Exporter {
  /**
   * The recorder: hand it to capture as its `CaptureRecorder` (`instrument(kafka, { recorder })`, the kafkajs
   * module patch, the protocol proxy). Every capture of one exporter shares it, so they share one set of series.
   */
  readonly recorder: Recorder;
  /** The prom-client sink behind `/metrics`. */
  readonly prometheus: PrometheusSink;
  /** Every sink the recorder records into: `prometheus`, then `options.sinks`, then the OTLP push's. */
  readonly sinks: readonly RecorderSink[];
  /** The HTTP server: `/metrics`, `/healthz`, `/readyz`, `/codes`, `/`. */
  readonly server: ExporterServer;
  /** The error-code registry as `/codes` publishes it: `codes --json` entries with the overrides applied. */
  readonly codes: readonly ErrorCodeJson[];
  /** Starts the server. Rejects with the socket error (`code` `EADDRINUSE`, `EACCES`…) when it cannot. */
  listen(): Promise<ListenAddress>;
  /**
   * Adds a condition of readiness: `/readyz` answers `503 not ready` while any check returns `false` (and
   * `503 shutting down` once `close` began, as without checks). Checks run on each probe: keep them a field read.
   * They must not depend on Kafka being reachable: a sidecar's readiness gates the whole pod.
   * @returns how to remove the check.
   */
  addReadinessCheck(check: () => boolean): () => void;
  /**
   * Adds self-metric families to every output of this exporter (`/metrics` in both formats, the OTLP push,
   * `options.sinks`), read at collection time next to the recorder's series. Declare each family in
   * `src/metrics/names.ts` and its key in `ScalarFamily` first (see {@link SeriesSource}); the source visits only
   * the families it owns. May be called before or after `listen`.
   * @returns how to remove the source.
   */
  addMetricSource(source: SeriesSource): () => void;
  /**
   * Stops the server (in-flight requests may finish; `/readyz` answers 503 meanwhile), then flushes and stops
   * the OTLP push, all within `timeoutMs`. Safe to call twice (the second call gets the first's result) and
   * before `listen`. Capture hooks still installed keep recording into `recorder`, which costs nothing more.
   * @param timeoutMs @default options.shutdownTimeout
   */
  close(timeoutMs?: number): Promise<ExporterClosed>;
}

/** Waits for `work`, but no longer than `ms`. Resolves `false` on timeout. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>(
    (resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))),
  );
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds the exporter: a classifier with the user's overrides, the recorder with its caps, the prom-client sink
 * (plus `sinks` and the OTLP push's), and the HTTP server over them.
 * @throws Error on an invalid override or cap, ConfigError when the TLS certificate and key do not match.
 */
export function createExporter(input: CreateExporterOptions): Exporter {
  const { options, logger } = input;
  const web = input.web ?? NO_WEB_CONFIG;
  const classifier = createClassifier({
    overrides: options.categoryOverrides,
    maxUnknownCodes: options.unknownCodeCap,
    logger,
  });
  const prometheus = createPrometheusSink();
  const sinks: RecorderSink[] = [prometheus, ...(input.sinks ?? [])];
  if (input.otlp) sinks.push(input.otlp.sink);
  const extra = createSeriesSources();
  const recorder = createRecorder({
    classifier,
    codes: ERROR_CODES,
    sinks: sinks.map((sink) => extra.wrap(sink)),
    topicLabel: options.topicLabel,
    limits: {
      topics: options.topicLabelCap,
      clientIds: options.clientIdCap,
      brokers: options.brokerCap,
      clientErrorTypes: options.clientErrorTypeCap,
      seriesPerFamily: options.seriesBudget,
    },
    logger,
  });
  // The registry as published, with the user's overrides applied to category and retriable.
  const codes = ERROR_CODES.map((entry) => {
    const { category, retriable } = classifier.classify(entry.code);
    return toErrorCodeJson({ ...entry, category, retriable });
  });
  const readinessChecks: (() => boolean)[] = [];
  const server = createExporterServer({
    host: options.host,
    port: options.port,
    tls: web.tls,
    basicAuthUsers: web.basicAuthUsers,
    logger,
    ...(input.unref === undefined ? {} : { unref: input.unref }),
    metrics: input.metricsEndpoint ?? prometheus,
    errors: recorder,
    codes: { codes: () => codes },
    build: { version: PACKAGE_VERSION, nodeVersion: process.version },
    readiness: () => readinessChecks.every((check) => check()),
  });
  extra.add(createServerMetricSource(server.connections));

  let closed: Promise<ExporterClosed> | undefined;
  return {
    recorder,
    prometheus,
    sinks,
    server,
    codes,
    listen: () => server.listen(),
    addReadinessCheck(check) {
      readinessChecks.push(check);
      return () => {
        const i = readinessChecks.indexOf(check);
        if (i >= 0) readinessChecks.splice(i, 1);
      };
    },
    addMetricSource: (source) => extra.add(source),
    close(timeoutMs = options.shutdownTimeout) {
      closed ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        const { graceful } = await server.close(timeoutMs);
        const otlpFlushed = input.otlp ? await within(input.otlp.shutdown(), deadline - Date.now()) : true;
        return { graceful, otlpFlushed };
      })();
      return closed;
    },
  };
}
