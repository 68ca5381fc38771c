// Installs the kafkajs hooks onto a `CaptureRecorder` it is given: a configuration's socket factory, or a `Kafka`
// instance's clients. The public `instrument()` (src/exporter/instrument.ts) builds the recorder and calls this.
import type { Kafka, KafkaConfig } from 'kafkajs';
import { lookupCode, lookupName } from '../../codes/registry.js';
import type { CaptureRecorder } from '../../events.js';
import { silentLogger } from '../../logger.js';
import type { Logger } from '../../logger.js';
import { createGatedRecorder } from './gated-recorder.js';
import { instrumentKafkaInstance } from './kafka-instance.js';
import { createOperationErrorReporter } from './operation-errors.js';
import { createSafeCall } from './safe-call.js';
import { WIRE_CAPTURE_DEFAULTS, instrumentSocketFactory, positiveInteger } from './socket-factory.js';
import type { NameLookup } from './unwrap.js';

/** What the kafkajs capture needs: where to report, and what to capture. */
export interface KafkajsCaptureOptions {
  /** Where every hook reports. */
  readonly recorder: CaptureRecorder;
  /** Pass the topic of response errors on to the recorder. @default false */
  readonly topicLabel?: boolean;
  /** Where failures inside the hooks are logged, once per kind. @default silent */
  readonly logger?: Logger;
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
  /** Called once by the handle's `detach`, after the hooks are off (e.g. to remove registered families). */
  readonly onDetach?: () => void;
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
 * Installs the hooks (see `instrument()` for what a configuration and an instance each capture) onto
 * `options.recorder`. The handle's `detach` restores the instance's methods and silences hooks still installed in
 * live clients.
 * @throws Error on an invalid `maxFrameBytes` (the message names it).
 */
export function instrumentKafkajs(kafka: Kafka, options: KafkajsCaptureOptions): InstrumentationHandle;
export function instrumentKafkajs(
  config: KafkaConfig,
  options: KafkajsCaptureOptions,
): InstrumentedKafkaConfig;
export function instrumentKafkajs(
  target: Kafka | KafkaConfig,
  options: KafkajsCaptureOptions,
): InstrumentationHandle | InstrumentedKafkaConfig;
export function instrumentKafkajs(
  target: Kafka | KafkaConfig,
  options: KafkajsCaptureOptions,
): InstrumentationHandle | InstrumentedKafkaConfig {
  // Checked now: for an instance, the socket factory is only wrapped when a connection dials.
  const maxFrameBytes = positiveInteger(
    'maxFrameBytes',
    options.maxFrameBytes ?? WIRE_CAPTURE_DEFAULTS.maxFrameBytes,
  );
  const gate = createGatedRecorder(options.recorder);
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
    options.onDetach?.();
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
    return { recorder: options.recorder, detach };
  }

  const config = target;
  const clientId = config.clientId ?? KAFKAJS_DEFAULT_CLIENT_ID;
  const instrumented = { ...config } as InstrumentedKafkaConfig;
  if (wire) {
    instrumented.socketFactory = wrapFactory(config.socketFactory, clientId) as NonNullable<
      KafkaConfig['socketFactory']
    >;
  }
  Object.defineProperties(instrumented, {
    recorder: { value: options.recorder, enumerable: false },
    detach: { value: detach, enumerable: false },
  });
  return instrumented;
}
