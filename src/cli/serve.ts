// `kafka-error-exporter serve`: parse the options, build the pipeline, listen, and shut down on a signal.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createClassifier } from '../codes/classify.js';
import { ERROR_CODES, toErrorCodeJson } from '../codes/registry.js';
import { ConfigError, EXIT_CONFIG, isConfigError } from '../config/config-error.js';
import type { ExporterOptions } from '../config/options.js';
import { resolveOptions } from '../config/resolve-options.js';
import { renderServeHelp } from '../config/serve-help.js';
import { loadWebConfig, NO_WEB_CONFIG } from '../config/web-config.js';
import { createLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { PACKAGE_VERSION } from '../record/build-info.js';
import { createRecorder } from '../record/recorder.js';
import type { RecorderSink } from '../record/metric-source.js';
import { createExporterServer } from '../server/exporter-server.js';
import type { ExporterServer } from '../server/exporter-server.js';
import { createPrometheusSink } from '../sinks/prometheus.js';

/** Where `serve` writes (the CLI's standard output and error), as the command table hands it over. */
export interface ServeIo {
  out(text: string): void;
  err(text: string): void;
}

/** The text of `serve --help`, derived from the option table. */
export const HELP: string = renderServeHelp();

/** Socket errors at listen that are the configuration's fault: exit 2 with the address named. */
const LISTEN_CONFIG_ERRORS: Record<string, string> = {
  EADDRINUSE: 'is already in use',
  EACCES: 'needs privileges this process does not have',
  EADDRNOTAVAIL: 'is not an address of this machine',
  ENOTFOUND: 'does not resolve',
};

/** The OTLP push, when configured: flushed on shutdown. The OpenTelemetry SDK is loaded only then. */
interface OtlpPush {
  readonly sink: RecorderSink;
  shutdown(): Promise<void>;
}

async function startOtlpPush(options: ExporterOptions): Promise<OtlpPush | null> {
  if (options.otlpEndpoint === null) return null;
  const [{ createOtelPipeline }, { createOpenTelemetrySink }] = await Promise.all([
    import('../sinks/otel-pipeline.js'),
    import('../sinks/opentelemetry.js'),
  ]);
  const pipeline = createOtelPipeline({
    otlp: { url: options.otlpEndpoint, intervalMillis: options.otlpInterval },
  });
  return {
    sink: createOpenTelemetrySink({ meterProvider: pipeline.meterProvider }),
    shutdown: () => pipeline.shutdown(),
  };
}

/** Resolves with the first SIGTERM or SIGINT; a second signal during shutdown exits at once. */
function nextSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      received = signal;
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
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

async function listenOrExplain(server: ExporterServer, options: ExporterOptions): Promise<string> {
  try {
    return (await server.listen()).url;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const problem = LISTEN_CONFIG_ERRORS[code];
    if (problem === undefined) throw error;
    const key = code === 'EADDRINUSE' || code === 'EACCES' ? 'port' : 'host';
    throw new ConfigError(
      key,
      `cannot listen on ${options.host}:${options.port} (host=${JSON.stringify(options.host)}, port=${options.port}): the address ${problem} (${code})`,
      { cause: error },
    );
  }
}

/**
 * Runs `serve` until SIGTERM or SIGINT.
 * @returns the exit code: 0 after a clean shutdown (or `--help`), 2 for a configuration error.
 * @throws on a runtime failure (the caller exits 1).
 */
export async function serve(
  argv: readonly string[],
  io: ServeIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  let server: ExporterServer | undefined;
  let otlp: OtlpPush | null = null;
  try {
    const resolved = resolveOptions({ argv, env, readFile: (path) => readFileSync(path, 'utf8') });
    if (resolved.kind === 'help') {
      io.out(HELP);
      return 0;
    }
    const { options } = resolved;
    const logger = createLogger(options.logLevel);
    const web = options.webConfigFile
      ? loadWebConfig(options.webConfigFile, (path) => readFileSync(path, 'utf8'))
      : NO_WEB_CONFIG;

    const classifier = createClassifier({
      overrides: options.categoryOverrides,
      maxUnknownCodes: options.unknownCodeCap,
      logger,
    });
    const prometheus = createPrometheusSink();
    otlp = await startOtlpPush(options);
    const recorder = createRecorder({
      classifier,
      codes: ERROR_CODES,
      sinks: otlp ? [prometheus, otlp.sink] : [prometheus],
      topicLabel: options.topicLabel,
      limits: {
        topics: options.topicLabelCap,
        clientIds: options.clientIdCap,
        brokers: options.brokerCap,
        clientErrorTypes: options.clientErrorTypeCap,
      },
      logger,
    });
    // The registry as published, with the user's overrides applied to category and retriable.
    const codes = ERROR_CODES.map((entry) => {
      const { category, retriable } = classifier.classify(entry.code);
      return toErrorCodeJson({ ...entry, category, retriable });
    });
    // Room for the protocol proxy: it will start here and record into `recorder` as the kafkajs capture does.
    server = createExporterServer({
      host: options.host,
      port: options.port,
      tls: web.tls,
      basicAuthUsers: web.basicAuthUsers,
      logger,
      metrics: prometheus,
      errors: recorder,
      codes: { codes: () => codes },
      build: { version: PACKAGE_VERSION, nodeVersion: process.version },
    });
    const stop = nextSignal(logger);
    const url = await listenOrExplain(server, options);
    logger.info(
      {
        url,
        tls: web.tls !== null,
        basicAuth: web.basicAuthUsers !== null,
        otlp: otlp !== null,
        version: PACKAGE_VERSION,
        startupMs: Math.round(performance.now()),
      },
      'listening',
    );

    const signal = await stop;
    const deadline = Date.now() + options.shutdownTimeout;
    const inFlight = server.inFlight;
    // Close first: by the time the log says so, the listener is closed and new connections are refused.
    const closed = server.close(options.shutdownTimeout);
    logger.info({ signal, inFlight }, 'shutting down');
    const { graceful } = await closed;
    const flushed = otlp ? await within(otlp.shutdown(), deadline - Date.now()) : true;
    logger.info({ graceful, otlpFlushed: flushed }, 'stopped');
    // The bound holds even if something (a hung OTLP export) still keeps the event loop alive.
    setTimeout(() => process.exit(0), Math.max(0, deadline - Date.now()) + 250).unref();
    return 0;
  } catch (error) {
    await server?.close(0);
    if (!isConfigError(error)) throw error;
    io.err(`kafka-error-exporter serve: ${error.message}\n`);
    await otlp?.shutdown().catch(() => undefined);
    return EXIT_CONFIG;
  }
}

/** The command table's entry point: runs `serve` on the arguments after its name. */
export function run(args: readonly string[], io: ServeIo): Promise<number> {
  return serve(args, io);
}
