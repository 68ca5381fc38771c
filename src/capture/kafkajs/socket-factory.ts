// Wraps a kafkajs `socketFactory` so that every response the client receives is decoded and recorded.
//
// Why the socket factory: it is kafkajs's public extension point at the wire (`new Kafka({ socketFactory })`),
// it sees every connection (producer, consumer, admin; TLS and SASL included: the socket's bytes are the
// plaintext above TLS), and it needs no patching of kafkajs internals that a minor release could move. We only
// observe: the client's bytes are never altered, delayed or re-ordered, and nothing we do can throw into it.
import net from 'node:net';
import tls from 'node:tls';
import type { BrokerEndpoint, CaptureFailureKind, CaptureRecorder } from '../../events.js';
import { createOnceLogger, silentLogger } from '../../logger.js';
import type { Logger } from '../../logger.js';
import { createConnectionTap } from '../protocol/connection-tap.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/frame-reader.js';
import type { ConnectionTap } from '../protocol/connection-tap.js';

/** What kafkajs passes to a socket factory (kafkajs's `ISocketFactoryArgs`). */
export interface SocketFactoryArgs {
  host: string;
  port: number;
  ssl: tls.ConnectionOptions;
  onConnect: () => void;
}

/** A kafkajs socket factory (kafkajs's `ISocketFactory`). */
export type SocketFactory = (args: SocketFactoryArgs) => net.Socket;

export interface WireCaptureOptions {
  readonly recorder: CaptureRecorder;
  /** The Kafka `client.id` of the client (kafkajs does not pass it to socket factories). */
  readonly clientId: string;
  /** Pass the topic of each error to the recorder (the opt-in topic label). @default false */
  readonly topicLabel?: boolean;
  /**
   * Whether the registry knows a code: the broker's error message is decoded and passed on only for codes it
   * does not know. @default every code is known (messages are never decoded)
   */
  readonly isKnownCode?: (code: number) => boolean;
  /**
   * Responses up to this many bytes are decoded; larger ones are counted as responses and as `oversized`
   * undecodable frames, and skipped without being buffered. Error codes can sit anywhere in a Fetch response,
   * so the whole frame is needed: keep this at or above the consumer's `maxBytes` (kafkajs default 10 MiB).
   * @default 16 MiB
   */
  readonly maxFrameBytes?: number;
  /** Requests awaiting a response remembered per connection (acks=0 produces never get one). @default 1024 */
  readonly maxPendingRequests?: number;
  /** Where the first failure of each kind inside our hooks is logged. @default silentLogger */
  readonly logger?: Logger;
}

/** The defaults of `WireCaptureOptions`. */
export const WIRE_CAPTURE_DEFAULTS = Object.freeze({
  topicLabel: false,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxPendingRequests: 1024,
});

const KEEP_ALIVE_DELAY_MS = 60_000;

/** kafkajs's own default socket factory (kafkajs 2.2.4 `src/network/socketFactory.js`), which it does not export. */
export function defaultSocketFactory(): SocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const socket = ssl
      ? tls.connect(
          Object.assign({ host, port }, !net.isIP(host) ? { servername: host } : {}, ssl),
          onConnect,
        )
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    return socket;
  };
}

/** `value` if it is a positive safe integer. @throws Error naming `name` otherwise. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`Invalid ${name}: ${value}`);
  return value;
}

/** Makes a `socket.write` replacement that shows each chunk to the tap before writing it unchanged. */
function tappedWrite(original: net.Socket['write'], tap: ConnectionTap): net.Socket['write'] {
  return function write(this: net.Socket, chunk: unknown, encoding?: unknown): boolean {
    if (Buffer.isBuffer(chunk)) tap.onRequestBytes(chunk);
    else if (typeof chunk === 'string') {
      tap.onRequestBytes(
        Buffer.from(chunk, Buffer.isEncoding(encoding as string) ? (encoding as BufferEncoding) : 'utf8'),
      );
    } else if (chunk instanceof Uint8Array) {
      tap.onRequestBytes(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    // eslint-disable-next-line prefer-rest-params -- pass the caller's arguments exactly as given
    return Reflect.apply(original, this, arguments) as boolean;
  };
}

/**
 * Returns a kafkajs `socketFactory` that creates sockets with `userFactory` (kafkajs's default when
 * `undefined`) and decodes every response on them: each response, each non-zero error code at every level,
 * and each throttle time go to `options.recorder`. Throws only on invalid options; at run time every failure
 * of ours is counted with `recorder.captureFailure`, logged once per kind, and the traffic goes on unchanged.
 */
export function instrumentSocketFactory(
  userFactory: SocketFactory | undefined,
  options: WireCaptureOptions,
): SocketFactory {
  const { recorder, clientId } = options;
  if (typeof recorder?.response !== 'function')
    throw new Error('Invalid recorder: a CaptureRecorder is required');
  if (typeof clientId !== 'string') throw new Error(`Invalid clientId: ${String(clientId)}`);
  if (userFactory !== undefined && typeof userFactory !== 'function') {
    throw new Error(`Invalid socketFactory: ${typeof userFactory}`);
  }
  const factory = userFactory ?? defaultSocketFactory();
  const logOnce = createOnceLogger(options.logger ?? silentLogger);
  const onFailure = (kind: CaptureFailureKind, error: unknown): void => {
    try {
      recorder.captureFailure(kind);
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      logOnce(
        `capture:${kind}`,
        { kind, error: message },
        'Kafka wire capture failed; traffic continues unchanged',
      );
    } catch {
      // The recorder or logger failing too leaves nothing else to tell.
    }
  };
  const tapOptions = {
    recorder,
    topicLabel: options.topicLabel ?? WIRE_CAPTURE_DEFAULTS.topicLabel,
    isKnownCode: options.isKnownCode ?? (() => true),
    maxFrameBytes: positiveInteger(
      'maxFrameBytes',
      options.maxFrameBytes ?? WIRE_CAPTURE_DEFAULTS.maxFrameBytes,
    ),
    maxPendingRequests: positiveInteger(
      'maxPendingRequests',
      options.maxPendingRequests ?? WIRE_CAPTURE_DEFAULTS.maxPendingRequests,
    ),
    onFailure,
  };

  return (args) => {
    const socket = factory(args);
    try {
      const endpoint: BrokerEndpoint = Object.freeze({ clientId, host: args.host, port: args.port });
      const tap = createConnectionTap(endpoint, tapOptions);
      socket.write = tappedWrite(socket.write, tap);
      // Added before kafkajs's own listener: a response's errors are recorded before kafkajs acts on it.
      socket.on('data', (chunk: unknown) => {
        if (Buffer.isBuffer(chunk)) tap.onResponseBytes(chunk);
      });
    } catch (error) {
      onFailure('instrument', error);
    }
    return socket;
  };
}
