// Records an error that reached the application as one `operationError` event (docs/metrics.md).
import type { CaptureRecorder, OperationName } from '../../events.js';
import type { SafeCall } from './safe-call.js';
import type { NameLookup } from './unwrap.js';
import { unwrapKafkaError } from './unwrap.js';

/** Reports one rejected call or crash; never throws and never changes the error. */
export type OperationErrorReporter = (error: unknown, operation: OperationName) => void;

export interface OperationErrorReporterOptions {
  readonly recorder: CaptureRecorder;
  /** The Kafka client.id, or a function resolving it late (a `Kafka` instance's is learnt after patching). */
  readonly clientId: string | (() => string);
  readonly safeCall: SafeCall;
  /** Resolves a kafkajs error type name to a code when a protocol error carries no number. */
  readonly lookupName?: NameLookup;
}

/**
 * Builds the reporter shared by every producer, consumer and admin of one instrumentation. The client error
 * class name passes as it is: the recorder caps its distinct values (`error_type` overflow).
 */
export function createOperationErrorReporter(options: OperationErrorReporterOptions): OperationErrorReporter {
  const { recorder, safeCall, lookupName, clientId } = options;
  const resolveClientId = typeof clientId === 'function' ? clientId : () => clientId;
  return (error, operation) => {
    safeCall('operation_error', () => {
      const { origin, code, clientErrorType } = unwrapKafkaError(error, lookupName);
      recorder.operationError(
        clientErrorType === undefined
          ? { clientId: resolveClientId(), operation, origin, code }
          : { clientId: resolveClientId(), operation, origin, code, clientErrorType },
      );
    });
  };
}
