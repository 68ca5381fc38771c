// Records an error that reached the application as one `operationError` event (CONTRACT §2–3).
import type { CaptureRecorder, OperationName } from '../../events.js';
import type { SafeCall } from './safe-call.js';
import type { NameLookup } from './unwrap.js';
import { unwrapKafkaError } from './unwrap.js';

/** Reports one rejected call or crash; never throws and never changes the error. */
export type OperationErrorReporter = (error: unknown, operation: OperationName) => void;

export interface OperationErrorReporterOptions {
  readonly recorder: CaptureRecorder;
  /** The Kafka client.id, or a function resolving it late (a `Kafka` instance learns it on first use). */
  readonly clientId: string | (() => string);
  readonly safeCall: SafeCall;
  /** Resolves a kafkajs error type name to a code when a protocol error carries no number. */
  readonly lookupName?: NameLookup;
  /** Whether reporting is still on: `false` after `detach()`. */
  readonly isActive?: () => boolean;
  /**
   * Distinct application error class names labelled as themselves; later ones become `OtherError`.
   * kafkajs's own classes and JavaScript's built-in ones are always labelled as themselves.
   * @default 20
   */
  readonly maxClientErrorTypes?: number;
}

/** The `clientErrorType` value past the cap. */
export const OTHER_CLIENT_ERROR_TYPE = 'OtherError';

const BUILTIN_ERRORS = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'EvalError',
  'URIError',
  'AggregateError',
]);

/** Builds the reporter shared by every producer, consumer and admin of one instrumentation. */
export function createOperationErrorReporter(options: OperationErrorReporterOptions): OperationErrorReporter {
  const { recorder, safeCall, lookupName, isActive } = options;
  const resolveClientId =
    typeof options.clientId === 'function' ? options.clientId : () => options.clientId as string;
  const maxTypes = options.maxClientErrorTypes ?? 20;
  const otherTypes = new Set<string>();

  const capType = (name: string): string => {
    if (name.startsWith('KafkaJS') || BUILTIN_ERRORS.has(name) || otherTypes.has(name)) return name;
    if (otherTypes.size >= maxTypes) return OTHER_CLIENT_ERROR_TYPE;
    otherTypes.add(name);
    return name;
  };

  return (error, operation) => {
    safeCall('operation_error', () => {
      if (isActive !== undefined && !isActive()) return;
      const { origin, code, clientErrorType } = unwrapKafkaError(error, lookupName);
      const clientId = resolveClientId();
      if (clientErrorType === undefined) {
        recorder.operationError({ clientId, operation, origin, code });
      } else {
        recorder.operationError({
          clientId,
          operation,
          origin,
          code,
          clientErrorType: capType(clientErrorType),
        });
      }
    });
  };
}
