// The public one-call API: instrument a kafkajs configuration or `Kafka` instance, get a handle to detach.
//
//   const kafka = new Kafka({ clientId: 'orders', brokers });
//   const handle = instrument(kafka, { registry });     // or { meterProvider }
//   …
//   handle.detach();
import type { Kafka, KafkaConfig } from 'kafkajs';
import { instrumentKafkajs } from '../capture/kafkajs/instrument.js';
import type {
  InstrumentationHandle,
  InstrumentedKafkaConfig,
  KafkajsCaptureOptions,
} from '../capture/kafkajs/instrument.js';
import { specOf } from '../config/option-table.js';
import { parseValue } from '../config/value-types.js';
import { createInstrumentRecorder } from './instrument-recorder.js';
import type { RecorderChoice } from './instrument-recorder.js';

export type { InstrumentationHandle, InstrumentedKafkaConfig };

/** Options of {@link instrument}: where to record (see {@link RecorderChoice}) and what to capture. */
export interface InstrumentOptions
  extends RecorderChoice, Pick<KafkajsCaptureOptions, 'wire' | 'maxFrameBytes'> {}

/**
 * Instruments kafkajs in one call.
 *
 * - A `Kafka` instance is patched in place: every producer, consumer and admin it creates afterwards reports
 *   the errors that reach the application (rejected calls, consumer crashes) and, through kafkajs 2.x's
 *   private cluster builder, every broker response on the wire. Clients created before the call are not
 *   captured. Returns a handle.
 * - A configuration object is returned as a copy whose `socketFactory` wraps yours (or kafkajs's default):
 *   `new Kafka(instrument(config, { registry }))` captures every broker response, TLS and SASL included. A
 *   configuration cannot reach the clients the instance will create, so errors reaching the application are
 *   not counted that way: instrument the instance for those.
 *
 * Nothing here changes Kafka behaviour: any exception inside the capture is caught, counted in
 * `kafka_error_exporter_capture_failures_total` and logged once per kind. `detach()` also removes the families
 * this call registered into a prom-client registry.
 * @throws Error when `options` name no destination, or on invalid overrides or caps; ConfigError on a
 *   `maxFrameBytes` outside 1024 to 2^31-1 (the bounds of `serve --max-frame-bytes`).
 */
export function instrument(kafka: Kafka, options: InstrumentOptions): InstrumentationHandle;
export function instrument(config: KafkaConfig, options: InstrumentOptions): InstrumentedKafkaConfig;
export function instrument(
  target: Kafka | KafkaConfig,
  options: InstrumentOptions,
): InstrumentationHandle | InstrumentedKafkaConfig {
  if (typeof target !== 'object' || target === null) {
    throw new TypeError(
      'kafka-error-exporter: instrument() expects a kafkajs Kafka instance or configuration',
    );
  }
  // The bounds of `--max-frame-bytes` and its variable: one option, one set of bounds, whatever the entry.
  const maxFrameBytes =
    options.maxFrameBytes === undefined
      ? undefined
      : (parseValue(specOf('maxFrameBytes').type, options.maxFrameBytes, {
          key: 'maxFrameBytes',
          where: 'instrument()',
        }) as number);
  const built = createInstrumentRecorder(options);
  try {
    return instrumentKafkajs(target, {
      recorder: built.recorder,
      topicLabel: options.topicLabel ?? false,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.wire === undefined ? {} : { wire: options.wire }),
      ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }),
      onDetach: () => built.release(),
    });
  } catch (error) {
    built.release();
    throw error;
  }
}
