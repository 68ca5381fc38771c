// What `kafka-error-exporter/register` does, as a function tests can call: read the environment, build one
// recorder, patch the application's kafkajs module, serve /metrics.
import { patchKafkajsModule } from '../capture/kafkajs/patch-module.js';
import type { PatchModuleOptions } from '../capture/kafkajs/patch-module.js';
import type { ExporterOptions } from '../config/options.js';
import { resolveOptions } from '../config/resolve-options.js';
import { loadWebConfig, NO_WEB_CONFIG } from '../config/web-config.js';
import { createLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import type { Recorder } from '../record/recorder.js';
import type { PrometheusSink } from '../sinks/prometheus.js';
import { createExporter } from './create-exporter.js';

export interface RegistrationInput {
  /** The process environment: only KAFKA_ERROR_EXPORTER_* variables are read (see docs/configuration.md). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => string;
  /** `require` as the application would call it (resolved from its working directory). */
  readonly requireFromApp: (id: string) => unknown;
  /** Where problems are reported before the configured log level is known. */
  readonly logger: Logger;
}

/** The running registration. */
export interface Registration {
  readonly options: ExporterOptions;
  readonly recorder: Recorder;
  readonly sink: PrometheusSink;
  /** Resolves once the server listens (or failed to: it then logs and resolves with `null`). */
  readonly listening: Promise<{ host: string; port: number } | null>;
  /** Closes the server and restores kafkajs's `Kafka` export; idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the zero-code instrumentation.
 * @throws ConfigError on an invalid environment variable, configuration file or web config (the caller logs it and lets the
 *   application run uninstrumented).
 */
export function startRegistration(input: RegistrationInput): Registration {
  const resolved = resolveOptions({ argv: [], env: input.env, readFile: input.readFile });
  // `--help` cannot be asked for through the environment.
  if (resolved.kind !== 'options') throw new Error('unexpected help request');
  const { options } = resolved;
  const logger = options.logLevel === 'warn' ? input.logger : createLogger(options.logLevel);
  // Read before anything is patched: a bad web config leaves the application uninstrumented, as any bad option.
  const web = options.webConfigFile ? loadWebConfig(options.webConfigFile, input.readFile) : NO_WEB_CONFIG;

  // The sidecar's exporter, with the same web config (TLS, basic auth), and unref'd: the application decides
  // when the process ends, not our server.
  const exporter = createExporter({ options, web, logger, unref: true });
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
        { url: address.url, tls: web.tls !== null, basicAuth: web.basicAuthUsers !== null },
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

  let stopped: Promise<void> | undefined;
  return {
    options,
    recorder,
    sink: exporter.prometheus,
    listening,
    stop() {
      stopped ??= (async () => {
        unpatch();
        await exporter.close(1000);
      })();
      return stopped;
    },
  };
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
