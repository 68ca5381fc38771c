// Watches both directions of one client↔broker connection and reports every response to a CaptureRecorder.
//
// Transport-agnostic: the kafkajs socket wrapper feeds it the bytes a client writes and reads; a proxy can feed
// it the bytes it forwards. Request heads give correlation id → (api key, version); response frames are then
// decoded with that version's schema. It only reads the bytes it is given and never throws.
import { performance } from 'node:perf_hooks';
import type { BrokerEndpoint, CaptureFailureKind, CaptureRecorder, UndecodableReason } from '../../events.js';
import { decodeResponse } from './decode-response.js';
import type { ResponseVisitor } from './decode-response.js';
import { createFrameReader } from './frame-reader.js';
import type { FrameHandler, FrameReader } from './frame-reader.js';
import { createPendingRequests } from './pending-requests.js';
import type { PendingRequests } from './pending-requests.js';
import { isKnownApiKey } from './response-program.js';

export interface ConnectionTapOptions {
  readonly recorder: CaptureRecorder;
  /** Decode the enclosing topic name of each error (the opt-in `messaging_destination_name` label). */
  readonly topicLabel: boolean;
  /** Whether the registry knows a code; the broker's error message is decoded only for unknown ones. */
  readonly isKnownCode: (code: number) => boolean;
  /** Responses up to this size are decoded; larger ones are counted `oversized` and skipped. */
  readonly maxFrameBytes: number;
  /** Bound of the pending-request queue per connection. */
  readonly maxPendingRequests: number;
  /**
   * Requests that arrive within this many milliseconds of a throttled response are not counted as sent during
   * the throttle: a proxy between client and broker sees requests the client sent before it received that
   * response (crossing it in flight) arrive just after it. 0 for a capture inside the client. @default 0
   */
  readonly throttleGraceMs?: number;
  /** Called when one of our own steps threw; the tap has already recovered or stopped. */
  readonly onFailure: (kind: CaptureFailureKind, error: unknown) => void;
}

/** Feeds the two directions of one connection. Both methods never throw. */
export interface ConnectionTap {
  /** Bytes the client sent to the broker, in order. */
  onRequestBytes(chunk: Buffer): void;
  /** Bytes the broker sent to the client, in order. */
  onResponseBytes(chunk: Buffer): void;
}

const SASL_HANDSHAKE_KEY = 17;
const INT32_MAX = 0x7fffffff;
/** The request header fields we read: api_key int16, api_version int16, correlation_id int32. */
const REQUEST_HEAD_BYTES = 8;
/** The response header field we read first: correlation_id int32. */
const RESPONSE_HEAD_BYTES = 4;
/** A request head with its client_id: the fields above, then an int16 length and up to 255 bytes. */
const REQUEST_HEAD_WITH_CLIENT_ID_BYTES = REQUEST_HEAD_BYTES + 2 + 255;

/** The endpoint of a connection, or how to build it once the first request header names the client. */
export type TapEndpoint = BrokerEndpoint | ((clientId: string) => BrokerEndpoint);

/** The client_id of a request header v1/v2 (a nullable int16-length string after the fixed fields). */
function readClientId(buf: Buffer, start: number, end: number): string {
  const at = start + REQUEST_HEAD_BYTES;
  if (end - at < 2) return '';
  const length = buf.readInt16BE(at);
  if (length <= 0) return '';
  // A client id longer than the head we keep is cut there; label caps apply afterwards anyway.
  return buf.toString('utf8', at + 2, Math.min(end, at + 2 + length));
}

class Tap implements ConnectionTap, ResponseVisitor {
  private readonly pending: PendingRequests;
  private readonly requests: FrameReader;
  private readonly responses: FrameReader;
  /** After SaslHandshake v0, SASL tokens travel as bare size-prefixed frames without a Kafka header. */
  private rawSasl = false;
  /** The correlation id the next real request carries (kafkajs counts up by one per request). */
  private nextCorrelationId = -1;
  private stopped = false;
  /**
   * When the last throttle the broker announced on this connection ends (performance.now() milliseconds), 0 when
   * none runs. The client should send nothing before then (KIP-219).
   */
  private throttledUntil = 0;
  /** When the last throttled response passed, plus the grace: requests before then may have crossed it. */
  private throttleCountsFrom = 0;
  /** The API of the response being decoded, for the visitor callbacks. */
  private apiKey = -1;
  readonly wantsTopic: boolean;
  private endpoint: BrokerEndpoint;
  /** Builds the endpoint from the first request's client id (a proxy learns it from the bytes only). */
  private endpointFor: ((clientId: string) => BrokerEndpoint) | null;

  constructor(
    endpoint: TapEndpoint,
    private readonly options: ConnectionTapOptions,
  ) {
    if (typeof endpoint === 'function') {
      this.endpointFor = endpoint;
      this.endpoint = endpoint('');
    } else {
      this.endpointFor = null;
      this.endpoint = endpoint;
    }
    this.wantsTopic = options.topicLabel;
    this.pending = createPendingRequests(options.maxPendingRequests);
    const requestHandler: FrameHandler = {
      frame: () => {},
      head: (buf, start, end) => this.onRequestHead(buf, start, end),
      desync: () => this.lostFraming(),
    };
    const responseHandler: FrameHandler = {
      frame: (buf, start, end) => this.onResponse(buf, start, end, false),
      head: (buf, start, end) => this.onResponse(buf, start, end, true),
      desync: () => this.lostFraming(),
    };
    this.requests = createFrameReader(requestHandler, {
      maxFrameBytes: -1,
      headBytes: this.endpointFor === null ? REQUEST_HEAD_BYTES : REQUEST_HEAD_WITH_CLIENT_ID_BYTES,
    });
    this.responses = createFrameReader(responseHandler, {
      maxFrameBytes: options.maxFrameBytes,
      headBytes: RESPONSE_HEAD_BYTES,
    });
  }

  onRequestBytes(chunk: Buffer): void {
    if (this.stopped) return;
    try {
      this.requests.push(chunk);
    } catch (error) {
      // The reader's position in the stream is unknown now: stop watching this connection.
      this.stop('socket_write', error);
    }
  }

  onResponseBytes(chunk: Buffer): void {
    if (this.stopped) return;
    try {
      this.responses.push(chunk);
    } catch (error) {
      this.stop('socket_read', error);
    }
  }

  private onRequestHead(buf: Buffer, start: number, end: number): void {
    if (end - start < REQUEST_HEAD_BYTES) return; // a bare SASL token shorter than a header
    const apiKey = buf.readInt16BE(start);
    const apiVersion = buf.readInt16BE(start + 2);
    const correlationId = buf.readInt32BE(start + 4);
    const plausible = apiVersion >= 0 && isKnownApiKey(apiKey);
    if (this.rawSasl) {
      // A bare SASL token, unless it reads as the next request of the connection.
      if (!plausible || correlationId !== this.nextCorrelationId) return;
      this.rawSasl = false;
    }
    if (!plausible) return;
    if (this.endpointFor !== null) {
      this.endpoint = this.endpointFor(readClientId(buf, start, end));
      this.endpointFor = null;
    }
    if (this.throttledUntil !== 0) this.checkThrottle(apiKey);
    this.pending.push(correlationId, apiKey, apiVersion);
    this.nextCorrelationId = correlationId >= INT32_MAX ? 0 : correlationId + 1;
    if (apiKey === SASL_HANDSHAKE_KEY && apiVersion === 0) this.rawSasl = true;
  }

  private onResponse(buf: Buffer, start: number, end: number, oversized: boolean): void {
    if (end - start < RESPONSE_HEAD_BYTES) {
      if (!this.rawSasl) this.undecodable('truncated');
      return;
    }
    if (!this.pending.take(buf.readInt32BE(start))) {
      // During a bare SASL exchange the broker's tokens carry no correlation id.
      if (!this.rawSasl) this.undecodable('unknown_correlation_id');
      return;
    }
    const apiKey = this.pending.apiKey;
    this.apiKey = apiKey;
    try {
      this.options.recorder.response(this.endpoint, apiKey);
    } catch (error) {
      this.options.onFailure('record', error);
    }
    if (oversized) {
      this.undecodable('oversized');
      return;
    }
    let outcome;
    try {
      outcome = decodeResponse(apiKey, this.pending.apiVersion, buf, this, start, end);
    } catch (error) {
      this.options.onFailure('decode', error);
      return;
    }
    if (outcome !== 'ok') this.undecodable(outcome);
  }

  wantsMessage(code: number): boolean {
    return !this.options.isKnownCode(code);
  }

  error(code: number, topic: string | undefined, message: string | undefined): void {
    try {
      this.options.recorder.responseError(this.endpoint, this.apiKey, code, topic, message);
    } catch (error) {
      this.options.onFailure('record', error);
    }
  }

  /** A request while a throttle announced on this connection runs is counted; an expired throttle is forgotten. */
  private checkThrottle(apiKey: number): void {
    const now = performance.now();
    if (now >= this.throttledUntil) {
      this.throttledUntil = 0;
      return;
    }
    if (now < this.throttleCountsFrom) return;
    try {
      this.options.recorder.requestDuringThrottle(this.endpoint, apiKey);
    } catch (error) {
      this.options.onFailure('record', error);
    }
  }

  throttle(throttleTimeMs: number): void {
    // The clock starts when the response passes here; the client starts its own later, so a client that waits
    // as asked is never counted.
    if (throttleTimeMs > 0) {
      const now = performance.now();
      this.throttledUntil = Math.max(this.throttledUntil, now + throttleTimeMs);
      this.throttleCountsFrom = now + (this.options.throttleGraceMs ?? 0);
    }
    try {
      this.options.recorder.throttle(this.endpoint, this.apiKey, throttleTimeMs);
    } catch (error) {
      this.options.onFailure('record', error);
    }
  }

  private undecodable(reason: UndecodableReason): void {
    try {
      this.options.recorder.undecodableFrame(reason);
    } catch (error) {
      this.options.onFailure('record', error);
    }
  }

  /** A negative frame size: the stream cannot be followed any more, so this connection is no longer watched. */
  private lostFraming(): void {
    this.stopped = true;
    this.undecodable('malformed');
  }

  private stop(kind: CaptureFailureKind, error: unknown): void {
    this.stopped = true;
    this.options.onFailure(kind, error);
  }
}

/**
 * A tap for one connection to `endpoint`. Given a function, the tap builds the endpoint from the client_id of
 * the first request header it sees (ControlledShutdown v0's header v0 has none: the client id is then '').
 */
export function createConnectionTap(endpoint: TapEndpoint, options: ConnectionTapOptions): ConnectionTap {
  return new Tap(endpoint, options);
}
