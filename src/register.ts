// Zero-code activation: `node --import kafka-error-exporter/register app.js` instruments every kafkajs `Kafka`
// the application creates and serves /metrics, configured by KAFKA_ERROR_EXPORTER_* environment variables.
//
// kafkajs is CommonJS: we resolve it from the application's working directory, load it, and replace its
// exported `Kafka` class in place with a subclass that instruments each instance (the configuration for the
// wire, the instance for the application level). The application's later `require('kafkajs')` or
// `import { Kafka } from 'kafkajs'` reads the same cached module exports and gets the subclass. Nothing here
// may stop the application: a bad configuration or a missing kafkajs is logged and instrumentation is skipped.
// With an OTLP endpoint, the application starts once the OpenTelemetry SDK is loaded (`--import` waits for this
// module), and its end waits for the last push, within the shutdown timeout.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { startRegistration } from './exporter/registration.js';
import { createLogger } from './logger.js';

const logger = createLogger('warn');

try {
  await startRegistration({
    env: process.env,
    readFile: (file) => readFileSync(file, 'utf8'),
    requireFromApp: createRequire(path.join(process.cwd(), '__kafka-error-exporter__.cjs')),
    logger,
    exitEvents: process,
  });
} catch (error) {
  logger.error(
    { error: error instanceof Error ? error.message : String(error) },
    'kafka-error-exporter/register: instrumentation disabled; the application runs unchanged',
  );
}
