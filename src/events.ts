// The seam between capture and recording: what a capture hook reports, and nothing about how it is exported.
//
// Hooks call a `CaptureRecorder` with plain numbers and a per-connection endpoint object, so that the hot
// path (one call per broker response) allocates nothing. Rare events (an error reaching the application)
// travel as small objects.

/** The broker connection a response came over. Built once per connection and reused for every response. */
export interface BrokerEndpoint {
  /** The Kafka `client.id` of the client that owns the connection. */
  readonly clientId: string;
  /** The broker host as the client dialled it. */
  readonly host: string;
  readonly port: number;
}

/** Client operations whose failures reach the application: the closed value set of `messaging_operation_name`. */
export const OPERATION_NAMES = [
  'send',
  'send_batch',
  'commit',
  'consume',
  'subscribe',
  'connect',
  'disconnect',
  'transaction',
  'admin',
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

/** `broker`: the error carries a broker error code. `client`: raised locally by the client. */
export type ErrorOrigin = 'broker' | 'client';

/** An error that reached the application (a rejected call, a consumer crash). */
export interface OperationErrorEvent {
  readonly clientId: string;
  readonly operation: OperationName;
  readonly origin: ErrorOrigin;
  /**
   * The Kafka error code: the broker's for origin `broker`; for origin `client` NETWORK_EXCEPTION (13) for a
   * lost connection, REQUEST_TIMED_OUT (7) for a request timeout, UNKNOWN_SERVER_ERROR (-1) otherwise.
   */
  readonly code: number;
  /** For origin `client` with code -1: the client's error class name, used as `error.type`. */
  readonly clientErrorType?: string;
}

/** Where inside our own hooks an exception was caught: a fixed identifier, never raw input. */
export type CaptureFailureKind =
  'socket_write' | 'socket_read' | 'decode' | 'record' | 'instrument' | 'operation_error' | 'proxy';

/** Why a response frame could not be decoded: a fixed identifier, never raw input. */
export type UndecodableReason =
  | 'unknown_correlation_id'
  | 'unsupported_api_version'
  | 'unknown_api_key'
  | 'truncated'
  | 'malformed'
  | 'oversized';

/** What capture hooks call. Implementations must be fast and must never throw. */
export interface CaptureRecorder {
  /** A broker response was received (the denominator of error ratios). */
  response(endpoint: BrokerEndpoint, apiKey: number): void;
  /**
   * One non-zero error_code in a broker response: the top-level one, or one per topic / partition / resource /
   * member. `topic` is passed when the error belongs to a topic; `errorMessage` only for codes the registry
   * does not know (it is logged once per code, never used as a label).
   */
  responseError(
    endpoint: BrokerEndpoint,
    apiKey: number,
    code: number,
    topic?: string,
    errorMessage?: string,
  ): void;
  /** A response carried `throttle_time_ms` above zero. */
  throttle(endpoint: BrokerEndpoint, apiKey: number, throttleTimeMs: number): void;
  /**
   * The client sent a request on a connection while a throttle the broker announced on that connection (the
   * `throttle_time_ms` of an earlier response) had not yet expired: the client did not wait as it should.
   */
  requestDuringThrottle(endpoint: BrokerEndpoint, apiKey: number): void;
  /** An error reached the application. */
  operationError(event: OperationErrorEvent): void;
  /** An exception inside our hooks was caught (the traffic went on unchanged). */
  captureFailure(kind: CaptureFailureKind): void;
  /** A frame could not be decoded and was passed on untouched. */
  undecodableFrame(reason: UndecodableReason): void;
}
