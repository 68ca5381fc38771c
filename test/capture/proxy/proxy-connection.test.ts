// The proxy's forwarding, whatever the chunking: a hand-made upstream on loopback answers with frames split at
// every size, and the client must receive exactly the expected (rewritten or untouched) bytes.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBrokerListeners } from '../../../src/capture/proxy/broker-listeners.js';
import { createKafkaProxy } from '../../../src/capture/proxy/kafka-proxy.js';
import type { KafkaProxy } from '../../../src/capture/proxy/kafka-proxy.js';
import { proxyConnection } from '../../../src/capture/proxy/proxy-connection.js';
import type { ProxyConnectionContext } from '../../../src/capture/proxy/proxy-connection.js';
import { createProxyStats } from '../../../src/capture/proxy/proxy-stats.js';
import { proxyVersionCaps } from '../../../src/capture/proxy/proxy-versions.js';
import { createUpstreamDialer } from '../../../src/capture/proxy/upstream-dialer.js';
import { DEFAULT_OPTIONS } from '../../../src/config/options.js';
import type { CaptureRecorder } from '../../../src/events.js';
import { silentLogger } from '../../../src/logger.js';
import { freePortRange } from '../../support/kafka/kafka-broker.js';
import { encodeResponseFrame, int16, int32, str } from '../protocol/response-encoder.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

interface Counted {
  responses: number;
  errors: [number, number][];
  undecodable: string[];
}

function countingRecorder(): CaptureRecorder & Counted {
  const c: Counted = { responses: 0, errors: [], undecodable: [] };
  return Object.assign(c, {
    response: () => void c.responses++,
    responseError: (_e: unknown, apiKey: number, code: number) => void c.errors.push([apiKey, code]),
    throttle: () => {},
    requestDuringThrottle: () => {},
    operationError: () => {},
    captureFailure: () => {},
    undecodableFrame: (reason: string) => void c.undecodable.push(reason),
  });
}

function request(apiKey: number, version: number, correlationId: number): Buffer {
  const rest = Buffer.concat([
    int16(apiKey),
    int16(version),
    int32(correlationId),
    str('unit'),
    Buffer.alloc(4),
  ]);
  return Buffer.concat([int32(rest.length), rest]);
}

/** An upstream that answers request n with `answers[n]`, written in pieces of `piece` bytes. */
async function fakeBroker(
  answers: (port: number) => Buffer[],
  piece: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    let seen = Buffer.alloc(0);
    let answered = 0;
    socket.on('data', async (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      let frames = 0;
      for (
        let at = 0;
        at + 4 <= seen.length && at + 4 + seen.readInt32BE(at) <= seen.length;
        at += 4 + seen.readInt32BE(at)
      )
        frames++;
      const all = answers(port);
      while (answered < frames && answered < all.length) {
        const bytes = all[answered++]!;
        for (let at = 0; at < bytes.length; at += piece) {
          socket.write(bytes.subarray(at, at + piece));
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ close: () => new Promise((resolve) => server.close(resolve)) });
  const port = (server.address() as AddressInfo).port;
  return { server, port };
}

/**
 * An upstream that hands each connection to `onSocket`, and destroys them all with the test: the proxy's
 * metadata probe waits for an answer such a server may never give.
 */
async function upstreamServer(onSocket: (socket: Socket) => void): Promise<number> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
  });
  return (server.address() as AddressInfo).port;
}

/** A frame of `total` bytes, size prefix included, whose bytes from `from` on are a position pattern. */
function patternedFrame(total: number, from: number): Buffer {
  const frame = Buffer.alloc(total);
  for (let i = from; i < total; i++) frame[i] = (i * 7 + (i >> 11)) & 0xff;
  frame.writeInt32BE(total - 4, 0);
  return frame;
}

async function startProxy(
  upstreamPort: number,
  recorder: CaptureRecorder,
  brokerBasePort?: number,
  maxConnections?: number,
): Promise<{ proxy: KafkaProxy; port: number }> {
  const proxy = createKafkaProxy({
    maxConnections: maxConnections ?? DEFAULT_OPTIONS.proxyMaxConnections,
    upstream: [{ host: '127.0.0.1', port: upstreamPort }],
    bootstrapPort: 0,
    brokerBasePort: brokerBasePort ?? (await freePortRange(10)),
    brokerPortCount: 10,
    recorder,
    tap: { topicLabel: false, isKnownCode: () => true, maxFrameBytes: 1 << 20, maxPendingRequests: 64 },
    metadataRefreshMs: 0,
    logger: silentLogger,
  });
  const { port } = await proxy.start();
  open.push({ close: () => proxy.close(0) });
  return { proxy, port };
}

/** Sends `requests` and collects `bytes` bytes of answer. */
async function exchange(port: number, requests: Buffer[], bytes: number): Promise<Buffer> {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  open.push({ close: () => socket.destroy() });
  const got: Buffer[] = [];
  let length = 0;
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('connect', () => socket.write(Buffer.concat(requests)));
    socket.on('data', (chunk: Buffer) => {
      got.push(chunk);
      length += chunk.length;
      if (length >= bytes) resolve(Buffer.concat(got));
    });
    socket.on('close', () => resolve(Buffer.concat(got)));
  });
}

const METADATA_V12 = (host: string, port: number) =>
  encodeResponseFrame(3, 12, 2, {
    Brokers: [{ NodeId: 7, Host: host, Port: port, Rack: null }],
    ClusterId: 'c',
    ControllerId: 7,
    Topics: [{ ErrorCode: 3, Name: 'gone', TopicId: Buffer.alloc(16), Partitions: [] }],
  });
const PRODUCE_V7 = encodeResponseFrame(0, 7, 3, {
  Responses: [
    {
      Name: 't',
      PartitionResponses: [
        { Index: 0, ErrorCode: 10 },
        { Index: 1, ErrorCode: 0 },
      ],
    },
  ],
});
const API_VERSIONS_V3 = (keys: [number, number, number][]) =>
  encodeResponseFrame(18, 3, 1, {
    ErrorCode: 0,
    ApiKeys: keys.map(([ApiKey, MinVersion, MaxVersion]) => ({ ApiKey, MinVersion, MaxVersion })),
  });

describe('proxyConnection', () => {
  it.each([1, 2, 3, 5, 8, 13, 4096])(
    'forwards, rewrites and counts frames split into %i-byte pieces',
    async (piece) => {
      const recorder = countingRecorder();
      const broker = await fakeBroker(
        (port) => [
          API_VERSIONS_V3([
            [0, 3, 12],
            [3, 0, 13],
            [18, 0, 4],
            [1, 4, 17],
            [999, 0, 1],
          ]),
          METADATA_V12('127.0.0.1', port),
          PRODUCE_V7,
        ],
        piece,
      );
      const { proxy, port } = await startProxy(broker.port, recorder);
      const expectedWith = (brokerPort: number): Buffer =>
        Buffer.concat([
          API_VERSIONS_V3([
            [0, 3, 12],
            [3, 0, 13],
            [18, 0, 4],
            [1, 4, 15],
          ]),
          METADATA_V12('127.0.0.1', brokerPort),
          PRODUCE_V7,
        ]);
      const got = await exchange(
        port,
        [request(18, 3, 1), request(3, 12, 2), request(0, 7, 3)],
        expectedWith(0).length,
      );
      expect(proxy.brokerPorts().has(7)).toBe(true);
      expect(got.toString('hex')).toEqual(expectedWith(proxy.brokerPorts().get(7)!).toString('hex'));
      expect(recorder.responses).toBe(3);
      expect(recorder.errors).toEqual([
        [3, 3],
        [0, 10],
      ]);
      expect(proxy.stats.rewrites).toEqual({ broker_addresses: 1, node_endpoints: 0, api_versions: 1 });
    },
  );

  it('names the port a node moved to when its own is held by another process, and keeps the order', async () => {
    const recorder = countingRecorder();
    const base = await freePortRange(10);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(base + 7, '127.0.0.1', resolve));
    open.push({ close: () => new Promise((resolve) => squatter.close(resolve)) });
    // Metadata and the Produce response after it arrive in one piece: the Produce waits behind the Metadata.
    const broker = await fakeBroker((port) => [METADATA_V12('127.0.0.1', port), PRODUCE_V7], 4096);
    const { proxy, port } = await startProxy(broker.port, recorder, base);
    const expected = Buffer.concat([METADATA_V12('127.0.0.1', base + 9), PRODUCE_V7]);
    const got = await exchange(port, [request(3, 12, 2), request(0, 7, 3)], expected.length);
    expect(got.toString('hex')).toEqual(expected.toString('hex'));
    expect(proxy.brokerPorts().get(7)).toBe(base + 9);
    // The port named is served at once: the client's first dial reaches the proxy's listener for node 7.
    await exchange(base + 9, [request(18, 3, 9)], 1);
    expect(proxy.stats.clientConnections).toBeGreaterThanOrEqual(1);
    expect(recorder.errors).toEqual([
      [3, 3],
      [0, 10],
    ]);
  });

  it('passes bare SASL tokens (after SaslHandshake v0) through untouched', async () => {
    const recorder = countingRecorder();
    const handshake = encodeResponseFrame(17, 0, 1, { ErrorCode: 0, Mechanisms: ['PLAIN'] });
    const token = Buffer.concat([int32(0)]); // PLAIN's empty server token
    const broker = await fakeBroker(() => [handshake, token], 3);
    const { port } = await startProxy(broker.port, recorder);
    const plain = Buffer.from('\0user\0secret');
    const got = await exchange(
      port,
      [request(17, 0, 1), Buffer.concat([int32(plain.length), plain])],
      handshake.length + 4,
    );
    expect(got).toEqual(Buffer.concat([handshake, token]));
    expect(recorder.undecodable).toEqual([]);
  });

  it('closes a connection whose upstream sends a negative frame size', async () => {
    const broker = await fakeBroker(() => [Buffer.from([0x80, 0, 0, 0, 1, 2])], 64);
    const { proxy, port } = await startProxy(broker.port, countingRecorder());
    await exchange(port, [request(0, 7, 1)], 1 << 20);
    expect(proxy.stats.closed.malformed_response).toBe(1);
  });

  it('closes rather than forward an address it could not rewrite', async () => {
    const truncated = encodeResponseFrame(3, 12, 2, {
      Brokers: [{ NodeId: 1, Host: 'h', Port: 1 }],
    }).subarray(0, 12);
    truncated.writeInt32BE(8, 0);
    const broker = await fakeBroker(() => [truncated], 64);
    const { proxy, port } = await startProxy(broker.port, countingRecorder());
    const got = await exchange(port, [request(3, 12, 2)], 1 << 20);
    expect(got.length).toBe(0);
    expect(proxy.stats.closed.rewrite_failed).toBe(1);
  });
});

describe('proxyConnection back-pressure', () => {
  it('stops reading from the broker while the client does not read, so memory stays bounded', async () => {
    // One 64 MiB Produce-shaped response frame, streamed by the upstream as fast as TCP lets it.
    const total = 64 << 20;
    let upstreamWrote = 0;
    const server = createServer((socket) => {
      socket.once('data', () => {
        const head = Buffer.alloc(8);
        head.writeInt32BE(total - 4, 0);
        head.writeInt32BE(1, 4);
        const block = Buffer.alloc(1 << 16);
        let sent = 8;
        socket.write(head);
        const pump = (): void => {
          while (sent < total) {
            const n = Math.min(block.length, total - sent);
            sent += n;
            upstreamWrote = sent;
            if (!socket.write(block.subarray(0, n))) {
              socket.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise((resolve) => server.close(resolve)) });
    const { proxy, port } = await startProxy((server.address() as AddressInfo).port, countingRecorder());
    const client = connect({ host: '127.0.0.1', port });
    open.push({ close: () => client.destroy() });
    await new Promise((resolve) => client.once('connect', resolve));
    client.pause(); // never reads
    client.write(request(0, 7, 1));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The proxy forwarded what the kernel buffers hold and stopped; the upstream is held back too.
    expect(proxy.stats.bytesToClient).toBeLessThan(16 << 20);
    expect(upstreamWrote).toBeLessThan(32 << 20);
    client.resume();
    let received = 0;
    await new Promise<void>((resolve) =>
      client.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= total) resolve();
      }),
    );
    expect(received).toBe(total);
    expect(proxy.stats.bytesToClient).toBe(total);
  });
});

describe('proxyConnection and its reused read buffer', () => {
  it('hands a client that reads in fits and starts every byte of a large response unchanged', async () => {
    // A 24 MiB Produce-shaped frame whose bytes are a position pattern: a read that overwrote bytes a write
    // still held would show as a mismatch.
    const total = 24 << 20;
    const frame = patternedFrame(total, 8);
    frame.writeInt32BE(1, 4);
    const server = createServer((socket) => {
      socket.once('data', () => socket.write(frame));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise((resolve) => server.close(resolve)) });
    const recorder = countingRecorder();
    const { port } = await startProxy((server.address() as AddressInfo).port, recorder);
    const client = connect({ host: '127.0.0.1', port });
    open.push({ close: () => client.destroy() });
    await new Promise((resolve) => client.once('connect', resolve));
    const chunks: Buffer[] = [];
    let received = 0;
    const done = new Promise<void>((resolve) =>
      client.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= total) resolve();
        else if (chunks.length % 5 === 0) {
          // Stop reading a while: the proxy's writes queue, and its reads must not reuse their memory.
          client.pause();
          setTimeout(() => client.resume(), 5);
        }
      }),
    );
    client.write(request(0, 7, 1));
    await done;
    const got = Buffer.concat(chunks);
    expect(got.length).toBe(total);
    expect(got.equals(frame)).toBe(true);
    expect(recorder.responses).toBe(1);
  });
});

describe('proxyConnection and the client read buffer it reuses', () => {
  it('hands a broker that reads in fits every byte of a large request unchanged, bounded meanwhile', async () => {
    // A 16 MiB Produce-shaped request frame of a position pattern, sent in small pieces to a broker that reads
    // in fits: every byte arrives in order through the reused client read buffer, and what the proxy holds
    // meanwhile stays bounded. (That a held buffer is never read into again is client-socket.test.ts's.)
    const total = 16 << 20;
    const frame = patternedFrame(total, 14);
    frame.writeInt16BE(0, 4); // Produce
    frame.writeInt16BE(7, 6);
    frame.writeInt32BE(1, 8);
    frame.writeInt16BE(-1, 12); // null client id
    const received = new Map<Socket, Buffer[]>();
    const upstreamPort = await upstreamServer((socket) => {
      received.set(socket, []);
      socket.on('data', (chunk: Buffer) => {
        received.get(socket)!.push(chunk);
        // Read in fits: stop after each chunk for a moment, so that the proxy's writes queue.
        socket.pause();
        setTimeout(() => socket.resume(), 10);
      });
    });
    const { proxy, port } = await startProxy(upstreamPort, countingRecorder());
    const client = connect({ host: '127.0.0.1', port });
    open.push({ close: () => client.destroy() });
    await new Promise((resolve) => client.once('connect', resolve));
    let written = 0;
    const sent = new Promise<void>((resolve) => {
      const pump = (): void => {
        while (written < total) {
          const piece = frame.subarray(written, Math.min(total, written + 8192));
          written += piece.length;
          if (!client.write(piece)) {
            client.once('drain', pump);
            return;
          }
          // Piece by piece, so that the proxy reads small chunks and forwards each as it comes.
          if (written % (64 << 10) === 0) {
            setImmediate(pump);
            return;
          }
        }
        resolve();
      };
      pump();
    });
    let most = 0;
    const largest = (): Buffer[] =>
      [...received.values()].reduce((a, b) => (b.length > a.length ? b : a), [] as Buffer[]);
    const arrived = (): number => largest().reduce((sum, chunk) => sum + chunk.length, 0);
    while (arrived() < total) {
      // What the proxy holds: forwarded to it, not yet delivered to the broker, bounded by socket buffers.
      most = Math.max(most, proxy.stats.bytesToUpstream - arrived());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await sent;
    expect(Buffer.concat(largest()).equals(frame)).toBe(true);
    expect(most).toBeLessThan(12 << 20);
    expect(proxy.stats.requestFrames).toBeGreaterThanOrEqual(1);
  });
});

describe('proxyConnection and versions it does not let through', () => {
  it.each([
    [1, 16],
    [78, 0],
    [79, 0],
  ])(
    'closes a connection that sends API %i v%i anyway, before the request leaves',
    async (apiKey, version) => {
      let upstreamBytes = 0;
      const upstreamPort = await upstreamServer((socket) =>
        socket.on('data', (chunk: Buffer) => (upstreamBytes += chunk.length)),
      );
      const { proxy, port } = await startProxy(upstreamPort, countingRecorder());
      const got = await exchange(port, [request(apiKey, version, 1)], 1 << 20);
      expect(got.length).toBe(0);
      expect(proxy.stats.closed.unsupported_version).toBe(1);
      // Only the proxy's own metadata probe reached the upstream.
      expect(upstreamBytes).toBeLessThan(60);
    },
  );
});

describe('proxyConnection and its own failures', () => {
  it('closes a connection whose forwarding throws, counts it as a proxy capture failure, and serves the next', async () => {
    const broker = await fakeBroker(() => [PRODUCE_V7, PRODUCE_V7], 4096);
    const failures: string[] = [];
    const closes: string[] = [];
    const listeners = createBrokerListeners({
      listenHost: '127.0.0.1',
      advertisedHost: '127.0.0.1',
      basePort: await freePortRange(1),
      portCount: 1,
      onConnection: (socket) => socket.destroy(),
      onProblem: () => {},
      onAcceptError: () => {},
      onListenerCount: () => {},
    });
    open.push({ close: () => listeners.close() });
    let throwOnResponse = true;
    const ctx: ProxyConnectionContext = {
      caps: proxyVersionCaps(),
      book: listeners,
      stats: createProxyStats(),
      recorder: { ...countingRecorder(), captureFailure: (kind) => void failures.push(kind) },
      // A tap with a bug (taps never throw): what the proxy's own guard is for.
      createTap: () => ({
        onRequestBytes: () => {},
        onResponseBytes: () => {
          if (throwOnResponse) throw new Error('a bug');
        },
      }),
      maxRewriteBytes: 1 << 20,
      dialer: createUpstreamDialer(null),
      onDialFailure: () => {},
      connectTimeoutMs: 5000,
      maxBufferedBeforeConnect: 1 << 20,
      onClose: (reason) => void closes.push(reason),
    };
    const proxyServer = createServer((socket) =>
      proxyConnection(socket, [{ host: '127.0.0.1', port: broker.port }], ctx),
    );
    await new Promise<void>((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise((resolve) => proxyServer.close(resolve)) });
    const port = (proxyServer.address() as AddressInfo).port;
    const failed = await exchange(port, [request(0, 7, 3)], PRODUCE_V7.length);
    expect(failed.length).toBe(0);
    expect(failures).toEqual(['proxy']);
    expect(closes).toEqual(['internal_error']);
    expect(ctx.stats.closed.internal_error).toBe(1);
    throwOnResponse = false;
    const served = await exchange(port, [request(0, 7, 3)], PRODUCE_V7.length);
    expect(served).toEqual(PRODUCE_V7);
  });
});

describe('the proxy and its connection limit', () => {
  it('closes a client connection beyond the limit at once, counted, and accepts again once one closes', async () => {
    let upstreamSockets = 0;
    const upstreamPort = await upstreamServer(() => void upstreamSockets++);
    const { proxy, port } = await startProxy(upstreamPort, countingRecorder(), undefined, 2);
    await vi.waitFor(() => expect(upstreamSockets).toBe(1)); // the proxy's own metadata probe
    const dial = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
        socket.on('error', reject);
        open.push({ close: () => socket.destroy() });
      });
    const first = await dial();
    await dial();
    await vi.waitFor(() => expect(proxy.stats.clientConnections).toBe(2));
    await vi.waitFor(() => expect(upstreamSockets).toBe(3));

    const refused = await dial();
    await new Promise((resolve) => refused.once('close', resolve));
    expect(proxy.stats.closed.connection_limit).toBe(1);
    expect(proxy.stats.clientConnections).toBe(2);
    // It was closed before any broker connection was opened for it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upstreamSockets).toBe(3);

    first.destroy();
    await vi.waitFor(() => expect(proxy.stats.clientConnections).toBe(1));
    const again = await dial();
    await vi.waitFor(() => expect(proxy.stats.clientConnections).toBe(2));
    expect(again.destroyed).toBe(false);
    expect(proxy.stats.closed.connection_limit).toBe(1);
  });
});
