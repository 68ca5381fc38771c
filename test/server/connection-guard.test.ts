import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger.js';
import { createExporterServer } from '../../src/server/exporter-server.js';
import type {
  ExporterServer,
  ExporterServerOptions,
  ServerLimits,
} from '../../src/server/exporter-server.js';
import { request, serverOptions } from './support.js';

const CERTIFICATES = fileURLToPath(new URL('../support/certificates/', import.meta.url));
const TLS = {
  cert: readFileSync(`${CERTIFICATES}a.crt`, 'utf8'),
  key: readFileSync(`${CERTIFICATES}a.key`, 'utf8'),
  certFile: `${CERTIFICATES}a.crt`,
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
} as const;

const started: ExporterServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  sockets.splice(0).forEach((socket) => socket.destroy());
  await Promise.all(started.splice(0).map((server) => server.close(1000)));
});

async function start(
  limits: Partial<ServerLimits>,
  overrides: Partial<ExporterServerOptions> = {},
): Promise<{ server: ExporterServer; port: number; url: string }> {
  const server = createExporterServer(serverOptions({ limits, ...overrides }));
  started.push(server);
  const { url, port } = await server.listen();
  return { server, port, url };
}

/** A raw TCP connection, and when it was closed by the server (ms after connecting). */
async function open(port: number): Promise<{ socket: Socket; closed: Promise<number> }> {
  const socket = netConnect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {});
  socket.resume();
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const at = Date.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - at)));
  return { socket, closed };
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

function memoryLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, error() {}, info() {}, debug() {}, warn: (_fields, message) => warnings.push(message) };
}

describe('the exporter server bounds its connections', () => {
  it('closes a connection that sends nothing within the header timeout, and counts it', async () => {
    const { server, port } = await start({ headersTimeoutMs: 150 });
    const { closed } = await open(port);
    const ms = await closed;
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(1000);
    expect(server.connections.closed.header_timeout).toBe(1);
    await until(() => server.connections.open === 0);
  });

  it('closes a connection whose request head trickles in (slowloris) at the header timeout', async () => {
    const { server, port } = await start({ headersTimeoutMs: 200 });
    const { socket, closed } = await open(port);
    const drip = setInterval(() => socket.write('X'), 20);
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const ms = await closed;
    clearInterval(drip);
    expect(ms).toBeLessThan(1000);
    expect(server.connections.closed.header_timeout).toBe(1);
  });

  it('closes a TLS connection that never completes its handshake within the header timeout', async () => {
    const { server, port } = await start({ headersTimeoutMs: 150 }, { tls: TLS });
    const { closed } = await open(port);
    expect(await closed).toBeLessThan(1000);
    expect(server.connections.closed.header_timeout).toBe(1);
  });

  it('closes a TLS connection that shakes hands and then sends nothing', async () => {
    const { server, port } = await start({ headersTimeoutMs: 200 }, { tls: TLS });
    const socket = tlsConnect({ port, host: '127.0.0.1', ca: TLS.cert });
    sockets.push(socket);
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    const at = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Date.now() - at).toBeLessThan(1000);
    expect(server.connections.closed.header_timeout).toBe(1);
  });

  it('keeps a connection whose requests arrive in time, and answers them over TLS too', async () => {
    const { server, url } = await start({ headersTimeoutMs: 100 }, { tls: TLS });
    for (let i = 0; i < 3; i++) {
      expect((await request(`${url}/healthz`, { ca: TLS.cert })).status).toBe(200);
    }
    expect(server.connections.closed.header_timeout).toBe(0);
  });

  it('does not cut a slow answer: the header timeout stops once the head is complete', async () => {
    const { server, url } = await start(
      { headersTimeoutMs: 100 },
      {
        metrics: {
          metricsResponse: () =>
            new Promise((resolve) =>
              setTimeout(() => resolve({ contentType: 'text/plain', body: 'x 1\n' }), 300),
            ),
        },
      },
    );
    expect((await request(`${url}/metrics`)).status).toBe(200);
    expect(server.connections.closed.header_timeout).toBe(0);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const { port } = await start({ headersTimeoutMs: 100, keepAliveTimeoutMs: 100 });
    const { socket, closed } = await open(port);
    const answered = new Promise((resolve) => socket.once('data', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await answered;
    // node:http keeps one second of slack over the timeout it announces; the guard's bound is the sum.
    expect(await closed).toBeLessThan(2000);
  });

  it('past the cap, closes the oldest idle connection so that a scrape still gets in; warns once', async () => {
    const logger = memoryLogger();
    const { server, port, url } = await start({ headersTimeoutMs: 10_000, maxConnections: 4 }, { logger });
    const silent = await Promise.all([0, 1, 2, 3].map(() => open(port)));
    await until(() => server.connections.open === 4);
    const answer = await request(`${url}/healthz`);
    expect(answer.status).toBe(200);
    expect(await silent[0]!.closed).toBeLessThan(1000);
    expect(server.connections.closed.connection_limit).toBe(1);
    // The scrape's connection closed after its answer (Connection: close): two more reach the cap again.
    await until(() => server.connections.open === 3);
    await Promise.all([open(port), open(port)]);
    await until(() => server.connections.closed.connection_limit === 2);
    expect(server.connections.open).toBe(4);
    expect(logger.warnings).toEqual(['HTTP connection limit reached: closed idle or new connections']);
  });

  it('refuses a new connection when every connection is answering a request', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const metrics = {
      metricsResponse: async () => {
        await gate;
        return { contentType: 'text/plain', body: 'x 1\n' };
      },
    };
    const { server, port, url } = await start({ maxConnections: 2 }, { metrics });
    const scrapes = [request(`${url}/metrics`), request(`${url}/metrics`)];
    await until(() => server.inFlight === 2);
    const { closed } = await open(port);
    expect(await closed).toBeLessThan(1000);
    expect(server.connections.closed.connection_limit).toBe(1);
    release();
    expect((await Promise.all(scrapes)).map((answer) => answer.status)).toEqual([200, 200]);
  });

  it.each([
    ['plain', null],
    ['TLS', TLS],
  ] as const)(
    'on close (%s), closes silent connections at once and keeps only in-flight requests',
    async (_name, tls) => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const metrics = {
        metricsResponse: async () => {
          await gate;
          return { contentType: 'text/plain', body: 'x 1\n' };
        },
      };
      const { server, port, url } = await start({ headersTimeoutMs: 10_000 }, { tls, metrics });
      const silent = await open(port);
      const scrape = request(`${url}/metrics`, tls ? { ca: tls.cert } : {});
      await until(() => server.inFlight === 1);
      const at = Date.now();
      const closing = server.close(10_000);
      // Bounds far below the 10 s grace, far above a loaded machine's pauses.
      expect(await silent.closed).toBeLessThan(2000);
      setTimeout(release, 100);
      expect((await scrape).status).toBe(200);
      expect(await closing).toEqual({ graceful: true });
      expect(Date.now() - at).toBeLessThan(3000);
    },
  );

  it('on close with nothing in flight, ends at once despite silent connections', async () => {
    const { server, port } = await start({ headersTimeoutMs: 10_000 });
    await Promise.all([open(port), open(port)]);
    await until(() => server.connections.open === 2);
    const at = Date.now();
    expect(await server.close(10_000)).toEqual({ graceful: true });
    expect(Date.now() - at).toBeLessThan(2000);
  });
});
