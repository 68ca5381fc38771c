// What `kafka-error-exporter/register` does, as a function tests can call: read the environment, build one
// exporter (with the OTLP push when asked for), patch the application's kafkajs module, serve /metrics.
import { patchKafkajsModule } from '../capture/kafkajs/patch-module.js';
import type { PatchModuleOptions } from '../capture/kafkajs/patch-module.js';
import { ignoredSettingsWarning } from '../config/entry-points.js';
import type { ExporterOptions } from '../config/options.js';
import { resolveOptions } from '../config/resolve-options.js';
import { loadWebConfig, NO_WEB_CONFIG } from '../config/web-config.js';
import { createLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import type { Recorder } from '../record/recorder.js';
import type { PrometheusSink } from '../sinks/prometheus.js';
import { createExporter } from './create-exporter.js';
import type { ExporterClosed } from './create-exporter.js';
import { flushOnExit } from './exit-flush.js';
import type { ExitEvents } from './exit-flush.js';
import { startOtlpPush } from './otlp-push.js';
import type { OtlpPush } from './otlp-push.js';

export interface RegistrationInput {
  /** The process environment: only KAFKA_ERROR_EXPORTER_* variables are read (see docs/configuration.md). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => string;
  /** `require` as the application would call it (resolved from its working directory). */
  readonly requireFromApp: (id: string) => unknown;
  /** Where problems are reported before the configured log level is known. */
  readonly logger: Logger;
  /**
   * The process whose end flushes the OTLP push (`beforeExit`, SIGTERM, SIGINT; see `flushOnExit`), when one is
   * configured. @default none: only `stop()` flushes
   */
  readonly exitEvents?: ExitEvents;
}

/** The running registration. */
export interface Registration {
  readonly options: ExporterOptions;
  readonly recorder: Recorder;
  readonly sink: PrometheusSink;
  /** Resolves once the server listens (or failed to: it then logs and resolves with `null`). */
  readonly listening: Promise<{ host: string; port: number } | null>;
  /**
   * Restores kafkajs's `Kafka` export, closes the server and flushes the OTLP push, within
   * `options.shutdownTimeout`; idempotent.
   */
  stop(): Promise<ExporterClosed>;
}

/**
 * Starts the zero-code instrumentation. Resolves once kafkajs is patched (the server may still be starting: see
 * `listening`); with `otlpEndpoint`, after loading the OpenTelemetry SDK, which is not loaded otherwise.
 * @throws ConfigError on an invalid environment variable, configuration file or web config, or a file key only
 *   `serve` uses (the caller logs it and lets the application run uninstrumented). Variables only `serve` uses
 *   are logged, once, and ignored.
 */
export async function startRegistration(input: RegistrationInput): Promise<Registration> {
  const resolved = resolveOptions({
    entryPoint: 'zero-code',
    argv: [],
    env: input.env,
    readFile: input.readFile,
  });
  // `--help` cannot be asked for through the environment.
  if (resolved.kind !== 'options') throw new Error('unexpected help request');
  const { options, ignoredSettings } = resolved;
  const logger = options.logLevel === 'warn' ? input.logger : createLogger(options.logLevel);
  if (ignoredSettings.length > 0) {
    logger.warn(
      { settings: ignoredSettings },
      `kafka-error-exporter/register: ${ignoredSettingsWarning(ignoredSettings, 'zero-code')}`,
    );
  }
  // Read before anything is patched: a bad web config leaves the application uninstrumented, as any bad option.
  const web = options.webConfigFile ? loadWebConfig(options.webConfigFile, input.readFile) : NO_WEB_CONFIG;

  const otlp: OtlpPush | null =
    options.otlpEndpoint === null
      ? null
      : await startOtlpPush({ url: options.otlpEndpoint, intervalMillis: options.otlpInterval });
  // The sidecar's exporter, with the same web config (TLS, basic auth), and unref'd: the application decides
  // when the process ends, not our server.
  let exporter;
  try {
    exporter = createExporter({ options, web, logger, unref: true, otlp });
  } catch (error) {
    await otlp?.shutdown().catch(() => undefined);
    throw error;
  }
  const { recorder } = exporter;

  const unpatch = patchApplicationKafkajs(input.requireFromApp, {
    recorder,
    topicLabel: options.topicLabel,
    maxFrameBytes: options.maxFrameBytes,
    logger,
  });
  const listening = exporter.listen().then(
    (address) => {
      logger.info(
        {
          url: address.url,
          tls: web.tls !== null,
          basicAuth: web.basicAuthUsers !== null,
          otlp: otlp !== null,
        },
        'kafka-error-exporter/register: serving /metrics',
      );
      return { host: address.host, port: address.port };
    },
    (error: NodeJS.ErrnoException) => {
      logger.error(
        { code: error.code, host: options.host, port: options.port },
        'kafka-error-exporter/register: cannot serve /metrics; capture goes on',
      );
      return null;
    },
  );

  let stopped: Promise<ExporterClosed> | undefined;
  let removeExitHooks = (): void => {};
  const stop = (): Promise<ExporterClosed> => {
    stopped ??= (async () => {
      removeExitHooks();
      unpatch();
      return exporter.close(options.shutdownTimeout);
    })();
    return stopped;
  };
  if (otlp !== null && input.exitEvents !== undefined) {
    removeExitHooks = flushOnExit(input.exitEvents, async () => {
      const { otlpFlushed } = await stop();
      if (!otlpFlushed) {
        logger.warn(
          { shutdownTimeout: options.shutdownTimeout },
          'kafka-error-exporter/register: the OTLP push did not flush within shutdownTimeout',
        );
      }
      return otlpFlushed;
    });
  }
  return { options, recorder, sink: exporter.prometheus, listening, stop };
}

function patchApplicationKafkajs(
  requireFromApp: (id: string) => unknown,
  patch: PatchModuleOptions,
): () => void {
  const { logger } = patch;
  let kafkajs: unknown;
  try {
    kafkajs = requireFromApp('kafkajs');
  } catch {
    logger.warn(
      {},
      'kafka-error-exporter/register: kafkajs not found from the working directory; nothing to instrument',
    );
    return () => {};
  }
  return patchKafkajsModule(kafkajs, patch);
}
