import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentSocketFactory } from '../../../src/capture/kafkajs/socket-factory.js';
import type { SocketFactory, WireCaptureOptions } from '../../../src/capture/kafkajs/socket-factory.js';
import { memoryRecorder } from '../memory-recorder.js';
import { encodeResponseFrame, requestFrame } from '../protocol/response-encoder.js';
import { writeSelfSignedCertificate } from '../../support/certificate.js';

/** A self-signed certificate for 127.0.0.1, made with the real openssl. */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'wire-tls-'));
  try {
    const { keyFile, certFile } = writeSelfSignedCertificate(dir, 'server');
    return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A loopback server (TLS when given a certificate) that records what it receives and answers with `answer`. */
async function loopbackServer(answer: (received: Buffer) => Buffer | null, tlsOptions?: tls.TlsOptions) {
  const received: Buffer[] = [];
  const onSocket = (socket: net.Socket) => {
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      const reply = answer(Buffer.concat(received));
      if (reply) socket.write(reply);
    });
  };
  const server = tlsOptions ? tls.createServer(tlsOptions, onSocket) : net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function connect(
  factory: SocketFactory,
  port: number,
  ssl: tls.ConnectionOptions | null = null,
): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket: net.Socket = factory({
      host: '127.0.0.1',
      port,
      ssl: ssl as never,
      onConnect: () => resolve(socket),
    });
    cleanups.push(() => void socket.destroy());
  });
}

const options = (extra: Partial<Omit<WireCaptureOptions, 'recorder'>> = {}) => ({
  recorder: memoryRecorder(),
  clientId: 'orders-service',
  ...extra,
});

describe('instrumentSocketFactory', () => {
  it('records the responses of a socket from the default factory and leaves the bytes untouched', async () => {
    const request = Buffer.concat([requestFrame(3, 6, 0), requestFrame(0, 3, 1)]);
    const response = Buffer.concat([
      encodeResponseFrame(3, 6, 0, { Topics: [{ ErrorCode: 3, Name: 'missing' }] }),
      encodeResponseFrame(0, 3, 1, {
        Responses: [{ Name: 'a', PartitionResponses: [{ ErrorCode: 6 }] }],
        ThrottleTimeMs: 7,
      }),
    ]);
    const server = await loopbackServer((got) => (got.length === request.length ? response : null));
    cleanups.push(server.close);
    const opts = options();
    const socket = await connect(instrumentSocketFactory(undefined, opts), server.port);
    const seenByClient: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => seenByClient.push(chunk));
    socket.write(request.subarray(0, 5));
    socket.write(request.subarray(5), 'binary');
    await expect.poll(() => Buffer.concat(seenByClient).length).toBe(response.length);

    expect(Buffer.concat(server.received).equals(request)).toBe(true);
    expect(Buffer.concat(seenByClient).equals(response)).toBe(true);
    expect(opts.recorder.responseCounts()).toEqual({ Metadata: 1, Produce: 1 });
    expect(opts.recorder.errorCounts()).toEqual({ 'Metadata:3': 1, 'Produce:6': 1 });
    expect(opts.recorder.throttles).toEqual([{ api: 'Produce', ms: 7 }]);
    expect(opts.recorder.responses[0]!.endpoint).toEqual({
      clientId: 'orders-service',
      host: '127.0.0.1',
      port: server.port,
    });
  });

  it('decodes the plaintext above TLS', async () => {
    const certificate = selfSignedCertificate();
    const request = requestFrame(12, 0, 0);
    const response = encodeResponseFrame(12, 0, 0, { ErrorCode: 27 });
    const server = await loopbackServer(
      (got) => (got.length === request.length ? response : null),
      certificate,
    );
    cleanups.push(server.close);
    const opts = options();
    const socket = await connect(instrumentSocketFactory(undefined, opts), server.port, {
      ca: certificate.cert,
    });
    expect(socket).toBeInstanceOf(tls.TLSSocket);
    socket.write(request);
    await expect.poll(() => opts.recorder.responses.length).toBe(1);
    expect(Buffer.concat(server.received).equals(request)).toBe(true);
    expect(opts.recorder.errorCounts()).toEqual({ 'Heartbeat:27': 1 });
  });

  it("wraps the user's own factory and returns its socket", async () => {
    const server = await loopbackServer(() => null);
    cleanups.push(server.close);
    const made: net.Socket[] = [];
    const userFactory: SocketFactory = ({ host, port, onConnect }) => {
      const socket = net.connect({ host, port }, onConnect);
      made.push(socket);
      return socket;
    };
    const socket = await connect(instrumentSocketFactory(userFactory, options()), server.port);
    expect(made).toEqual([socket]);
  });

  it('counts a failure to instrument a socket and still returns it', async () => {
    const opts = options();
    const odd = {
      write: () => true,
      on: () => {
        throw new Error('no events here');
      },
    } as unknown as net.Socket;
    const factory = instrumentSocketFactory(() => odd, opts);
    expect(factory({ host: 'h', port: 1, ssl: null as never, onConnect: () => {} })).toBe(odd);
    expect(opts.recorder.failures).toEqual(['instrument']);
  });

  it.each([
    [{ recorder: undefined }, 'Invalid recorder'],
    [{ clientId: 7 }, 'Invalid clientId: 7'],
    [{ maxFrameBytes: 0 }, 'Invalid maxFrameBytes: 0'],
    [{ maxPendingRequests: 2.5 }, 'Invalid maxPendingRequests: 2.5'],
  ])('rejects invalid options %j', (extra, message) => {
    expect(() => instrumentSocketFactory(undefined, { ...options(), ...(extra as object) })).toThrow(message);
  });

  it('rejects a socketFactory that is not a function', () => {
    expect(() => instrumentSocketFactory('tcp' as never, options())).toThrow('Invalid socketFactory: string');
  });
});
