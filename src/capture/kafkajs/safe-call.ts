// The guard every kafkajs hook runs its own work through: an exception of ours never reaches the client.
import type { CaptureFailureKind, CaptureRecorder } from '../../events.js';
import type { Logger } from '../../logger.js';
import { createOnceLogger } from '../../logger.js';

/**
 * Runs `fn` and returns its result, or `undefined` when it threw. A throw is counted as
 * `recorder.captureFailure(kind)` and logged once per kind; if counting throws too, that is swallowed.
 */
export type SafeCall = <T>(kind: CaptureFailureKind, fn: () => T) => T | undefined;

/** Builds the guard for one instrumentation: its recorder for the self-metric, its logger for the warning. */
export function createSafeCall(recorder: CaptureRecorder, logger: Logger): SafeCall {
  const logOnce = createOnceLogger(logger);
  return <T>(kind: CaptureFailureKind, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      try {
        recorder.captureFailure(kind);
      } catch {
        // The recorder itself is failing: the warning below is all we can still do.
      }
      try {
        logOnce(
          kind,
          error instanceof Error
            ? { kind, error: error.name, message: error.message }
            : { kind, error: typeof error },
          'kafka-error-exporter: an exception inside the instrumentation was caught; Kafka traffic is unaffected',
        );
      } catch {
        // A user-supplied logger that throws must not break the client either.
      }
      return undefined;
    }
  };
}
