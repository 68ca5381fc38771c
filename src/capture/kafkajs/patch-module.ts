// Replaces the `Kafka` export of a loaded kafkajs module with an instrumenting subclass (zero-code activation).
import type { KafkaConfig } from 'kafkajs';
import type { CaptureRecorder } from '../../events.js';
import type { Logger } from '../../logger.js';
import { instrumentKafkajs } from './instrument.js';

export interface PatchModuleOptions {
  /** One recorder for every instance the application creates. */
  readonly recorder: CaptureRecorder;
  readonly topicLabel: boolean;
  /** See `InstrumentOptions.maxFrameBytes`. */
  readonly maxFrameBytes?: number;
  readonly logger: Logger;
}

type KafkaClass = new (config: KafkaConfig) => object;

const PATCHED = Symbol.for('kafka-error-exporter.patched-kafka');

/**
 * Patches `kafkajs.Kafka` in place: each `new Kafka(config)` gets our socketFactory (wire level, through
 * kafkajs's public option) and its producers, consumers and admins report the errors reaching the application.
 * The subclass keeps the original's name and `instanceof` keeps working. Patching twice is a no-op.
 * @returns how to put the original class back (if nobody replaced it since).
 */
export function patchKafkajsModule(kafkajs: unknown, options: PatchModuleOptions): () => void {
  const exports = kafkajs as { Kafka?: unknown } | null;
  const Original = exports?.Kafka;
  if (typeof Original !== 'function' || (Original as unknown as Record<symbol, unknown>)[PATCHED] === true) {
    return () => {};
  }
  const { recorder, topicLabel, maxFrameBytes, logger } = options;
  const Base = Original as KafkaClass;

  const Kafka = class Kafka extends Base {
    constructor(config: KafkaConfig) {
      super(withWire(config));
      try {
        instrumentKafkajs(this as never, { recorder, topicLabel, logger, wire: false });
      } catch (error) {
        failed(error);
      }
    }
  };
  // Called before `super()`, so a plain function rather than a method.
  function withWire(config: KafkaConfig): KafkaConfig {
    if (typeof config !== 'object' || config === null) return config;
    try {
      return instrumentKafkajs(config, {
        recorder,
        topicLabel,
        logger,
        ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }),
      });
    } catch (error) {
      failed(error);
      return config;
    }
  }
  function failed(error: unknown): void {
    try {
      recorder.captureFailure('instrument');
      logger.warn(
        { error: error instanceof Error ? error.name : typeof error },
        'kafka-error-exporter: could not instrument a Kafka instance',
      );
    } catch {
      // Nothing more to do: the instance works uninstrumented.
    }
  }

  // kafkajs's class is named `Client`: keep whatever name the application would see.
  Object.defineProperty(Kafka, 'name', { value: (Original as { name: string }).name });
  Object.defineProperty(Kafka, PATCHED, { value: true });
  (exports as { Kafka: unknown }).Kafka = Kafka;
  return () => {
    if ((exports as { Kafka: unknown }).Kafka === Kafka) (exports as { Kafka: unknown }).Kafka = Original;
  };
}
