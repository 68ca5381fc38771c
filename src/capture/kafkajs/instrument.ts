// The public one-call API: instrument a kafkajs configuration or `Kafka` instance, get a handle to detach.
//
//   const kafka = new Kafka({ clientId: 'orders', brokers });
//   const handle = instrument(kafka, { registry });     // or { meterProvider }
//   …
//   handle.detach();
import type { Kafka, KafkaConfig } from 'kafkajs';
import { lookupCode, lookupName } from '../../codes/registry.js';
import type { CaptureRecorder } from '../../events.js';
import { silentLogger } from '../../logger.js';
import { createExporterRecorder } from './exporter-recorder.js';
import type { RecorderChoice } from './exporter-recorder.js';
import { createGatedRecorder } from './gated-recorder.js';
import { instrumentKafkaInstance } from './kafka-instance.js';
import { createOperationErrorReporter } from './operation-errors.js';
import { createSafeCall } from './safe-call.js';
import { WIRE_CAPTURE_DEFAULTS, instrumentSocketFactory, positiveInteger } from './socket-factory.js';
import type { NameLookup } from './unwrap.js';

/** Options of {@link instrument}: where to record (see {@link RecorderChoice}) and what to capture. */
export interface InstrumentOptions extends RecorderChoice {
  /**
   * Capture every broker response on the wire (`kafka_client_response_errors_total`, `…_responses_total`,
   * `…_throttle_time_seconds`). Off: only errors that reach the application. @default true
   */
  readonly wire?: boolean;
  /**
   * Responses up to this many bytes are decoded; larger ones are counted as undecodable (`oversized`) and
   * their error codes missed. Keep it at or above the largest consumer `maxBytes`. @default 16 MiB
   */
  readonly maxFrameBytes?: number;
}

/** What `instrument()` returns for a `Kafka` instance. */
export interface InstrumentationHandle {
  /** The recorder the capture reports to: pass it as `{ recorder }` to instrument another instance into the same series. */
  readonly recorder: CaptureRecorder;
  /**
   * Stops capturing: restores the instance's methods, silences hooks still installed in live clients, and
   * removes the families this call registered into a prom-client registry. Idempotent.
   */
  detach(): void;
}

/** A kafkajs configuration with our socketFactory, plus the handle (non-enumerable: kafkajs never sees it). */
export type InstrumentedKafkaConfig = KafkaConfig & InstrumentationHandle;

const KAFKAJS_DEFAULT_CLIENT_ID = 'kafkajs';

const nameToCode: NameLookup = (name) => lookupName(name)?.code;
const isKnownCode = (code: number): boolean => lookupCode(code) !== undefined;

function isKafkaInstance(target: object): target is Kafka {
  const candidate = target as Partial<Record<'producer' | 'consumer' | 'admin', unknown>>;
  return typeof candidate.producer === 'function' && typeof candidate.admin === 'function';
}

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
 * `kafka_error_exporter_capture_failures_total` and logged once per kind.
 * @throws Error when `options` name no destination, or on invalid overrides or caps.
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
  // Checked now: for an instance, the socket factory is only wrapped when a connection dials.
  const maxFrameBytes = positiveInteger(
    'maxFrameBytes',
    options.maxFrameBytes ?? WIRE_CAPTURE_DEFAULTS.maxFrameBytes,
  );
  const built = createExporterRecorder(options);
  const gate = createGatedRecorder(built.recorder);
  const recorder = gate.recorder;
  const logger = options.logger ?? silentLogger;
  const safeCall = createSafeCall(recorder, logger);
  const topicLabel = options.topicLabel ?? false;
  const wire = options.wire ?? true;
  const wrapFactory = (factory: unknown, clientId: string): unknown =>
    instrumentSocketFactory(factory as Parameters<typeof instrumentSocketFactory>[0], {
      recorder,
      clientId,
      topicLabel,
      isKnownCode,
      maxFrameBytes,
      logger,
    });

  let detached = false;
  let restore: () => void = () => {};
  const detach = (): void => {
    if (detached) return;
    detached = true;
    safeCall('instrument', restore);
    gate.close();
    built.release();
  };

  if (isKafkaInstance(target)) {
    let clientId = KAFKAJS_DEFAULT_CLIENT_ID;
    const report = createOperationErrorReporter({
      recorder,
      clientId: () => clientId,
      safeCall,
      lookupName: nameToCode,
    });
    restore = instrumentKafkaInstance(target, {
      report,
      safeCall,
      ...(wire ? { wrapSocketFactory: wrapFactory } : {}),
      onClientId: (id) => (clientId = id),
    });
    return { recorder: built.recorder, detach };
  }

  const config = target;
  const clientId = config.clientId ?? KAFKAJS_DEFAULT_CLIENT_ID;
  const instrumented = { ...config } as InstrumentedKafkaConfig;
  if (wire) {
    instrumented.socketFactory = wrapFactory(config.socketFactory, clientId) as KafkaConfig['socketFactory'];
  }
  Object.defineProperties(instrumented, {
    recorder: { value: built.recorder, enumerable: false },
    detach: { value: detach, enumerable: false },
  });
  return instrumented;
}
