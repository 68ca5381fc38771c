// `kafka-error-exporter serve`: parse the options, build the pipeline, listen, and shut down on a signal.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ConfigError, EXIT_CONFIG, isConfigError } from '../config/config-error.js';
import { ignoredSettingsWarning } from '../config/entry-points.js';
import type { ExporterOptions } from '../config/options.js';
import { resolveOptions } from '../config/resolve-options.js';
import { renderServeHelp } from '../config/serve-help.js';
import { loadWebConfig, NO_WEB_CONFIG } from '../config/web-config.js';
import { createExporter } from '../exporter/create-exporter.js';
import type { Exporter } from '../exporter/create-exporter.js';
import { startOtlpPush } from '../exporter/otlp-push.js';
import { startProxySidecar } from '../exporter/proxy-sidecar.js';
import type { ProxySidecar } from '../exporter/proxy-sidecar.js';
import { formatHostPort } from '../config/value-types.js';
import type { OtlpPush } from '../exporter/otlp-push.js';
import { createLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { PACKAGE_VERSION } from '../record/build-info.js';

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

async function listenOrExplain(exporter: Exporter, options: ExporterOptions): Promise<string> {
  try {
    return (await exporter.listen()).url;
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

async function startProxyOrExplain(
  exporter: Exporter,
  options: ExporterOptions,
  logger: Logger,
): Promise<ProxySidecar> {
  try {
    return await startProxySidecar(exporter, options, logger);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const problem = LISTEN_CONFIG_ERRORS[code];
    if (problem === undefined) throw error;
    const address = formatHostPort(options.proxyListen);
    throw new ConfigError(
      'proxyListen',
      `cannot listen on ${address} (proxyListen): the address ${problem} (${code})`,
      {
        cause: error,
      },
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
  let exporter: Exporter | undefined;
  let otlp: OtlpPush | null = null;
  let proxy: ProxySidecar | null = null;
  try {
    const resolved = resolveOptions({
      entryPoint: 'serve',
      argv,
      env,
      readFile: (path) => readFileSync(path, 'utf8'),
    });
    if (resolved.kind === 'help') {
      io.out(HELP);
      return 0;
    }
    const { options } = resolved;
    const logger = createLogger(options.logLevel);
    if (resolved.ignoredSettings.length > 0) {
      logger.warn(
        { settings: resolved.ignoredSettings },
        ignoredSettingsWarning(resolved.ignoredSettings, 'serve'),
      );
    }
    const web = options.webConfigFile
      ? loadWebConfig(options.webConfigFile, (path) => readFileSync(path, 'utf8'))
      : NO_WEB_CONFIG;
    otlp =
      options.otlpEndpoint === null
        ? null
        : await startOtlpPush({ url: options.otlpEndpoint, intervalMillis: options.otlpInterval });
    exporter = createExporter({ options, web, logger, otlp });
    const stop = nextSignal(logger);
    const url = await listenOrExplain(exporter, options);
    proxy = options.proxyUpstream === null ? null : await startProxyOrExplain(exporter, options, logger);
    logger.info(
      {
        url,
        tls: web.tls !== null,
        basicAuth: web.basicAuthUsers !== null,
        otlp: otlp !== null,
        ...(proxy === null
          ? {}
          : {
              proxy: formatHostPort(proxy.bootstrap),
              upstream: options.proxyUpstream?.map(formatHostPort).join(','),
              upstreamTls: options.proxyTls,
            }),
        version: PACKAGE_VERSION,
        startupMs: Math.round(performance.now()),
      },
      'listening',
    );

    const signal = await stop;
    const deadline = Date.now() + options.shutdownTimeout;
    const inFlight = exporter.server.inFlight;
    // Close first: by the time the log says so, the listeners are closed and new connections are refused.
    // The proxy's connections and the in-flight scrapes share the grace period; metrics are flushed after.
    const proxyClosed = proxy?.proxy.close(options.shutdownTimeout);
    const closed = exporter.close(options.shutdownTimeout);
    logger.info(
      { signal, inFlight, proxyConnections: proxy?.proxy.stats.clientConnections },
      'shutting down',
    );
    const proxyGraceful = (await proxyClosed)?.graceful ?? true;
    const { graceful, otlpFlushed } = await closed;
    logger.info({ graceful: graceful && proxyGraceful, otlpFlushed }, 'stopped');
    // The bound holds even if something (a hung OTLP export) still keeps the event loop alive.
    setTimeout(() => process.exit(0), Math.max(0, deadline - Date.now()) + 250).unref();
    return 0;
  } catch (error) {
    await proxy?.proxy.close(0);
    await exporter?.close(0);
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
