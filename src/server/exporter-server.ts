// The exporter's HTTP(S) server on plain node:http: the route table, GET/HEAD only, bounded requests,
// optional TLS and basic auth, and a graceful close that lets in-flight scrapes finish.
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConfigError } from '../config/config-error.js';
import type { TlsSettings } from '../config/web-config.js';
import type { Logger } from '../logger.js';
import { createBasicAuthenticator, WWW_AUTHENTICATE } from './basic-auth.js';
import { guardConnections } from './connection-guard.js';
import type { ConnectionStats } from './connection-guard.js';
import { createRoutes } from './routes.js';
import type { RouteResponse, RouteSources } from './routes.js';

/** Bounds on what one request may cost. */
export interface ServerLimits {
  /** Largest request head (request line and headers) in bytes; Node answers 431 beyond it. */
  readonly maxHeaderSize: number;
  /** Longest request target in bytes; 414 beyond it. */
  readonly maxUrlLength: number;
  /** Time to receive a whole request, in milliseconds; Node answers 408 beyond it. */
  readonly requestTimeoutMs: number;
  /**
   * Time from connecting (TLS handshake included) to a complete request head, in milliseconds; the connection
   * is closed beyond it. After a response, the next head must be complete within this plus `keepAliveTimeoutMs`.
   */
  readonly headersTimeoutMs: number;
  /** Time an idle keep-alive connection is kept, in milliseconds. */
  readonly keepAliveTimeoutMs: number;
  /**
   * Most connections open at once. Beyond it the oldest connection with no request being answered is closed,
   * or the new one when all are busy.
   */
  readonly maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = Object.freeze({
  maxHeaderSize: 8192,
  maxUrlLength: 2048,
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 64,
});

export interface ExporterServerOptions extends Omit<RouteSources, 'ready' | 'startedAt'> {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsSettings | null;
  /** User → bcrypt hash; `null` for no authentication. */
  readonly basicAuthUsers: ReadonlyMap<string, string> | null;
  readonly logger: Logger;
  readonly limits?: Partial<ServerLimits>;
  /** Do not keep the process alive for the server (the in-application `register` entry). @default false */
  readonly unref?: boolean;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  /** e.g. `http://0.0.0.0:9464`. */
  readonly url: string;
}

export interface ExporterServer {
  /** Starts listening. Rejects with the socket error (`code` `EADDRINUSE`, `EACCES`…) when it cannot. */
  listen(): Promise<ListenAddress>;
  /**
   * Stops accepting connections, lets in-flight requests finish, closes at once every connection with no
   * request being answered (idle keep-alive, silent, mid-handshake), and after `timeoutMs` closes whatever is left. Safe to call twice and before `listen`.
   * @returns `graceful: false` when connections had to be closed at the deadline.
   */
  close(timeoutMs: number): Promise<{ readonly graceful: boolean }>;
  /** Requests being answered right now. */
  readonly inFlight: number;
  /** Open connections and those the server closed itself (the `kafka_error_exporter_http_*` self-metrics). */
  readonly connections: ConnectionStats;
}

const ALLOW = 'GET, HEAD';
const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

function plain(status: number, body: string, headers: Record<string, string> = {}): RouteResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: `${body}\n` };
}

/** A path for logs: the request target without its query, bounded. */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Creates the exporter's server. Nothing listens until `listen()`.
 * @throws ConfigError when the TLS certificate and key cannot be used together.
 */
export function createExporterServer(options: ExporterServerOptions): ExporterServer {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const { logger } = options;
  let closing = false;
  let listening = false;
  let inFlight = 0;
  let closed: Promise<{ graceful: boolean }> | undefined;
  const routes = createRoutes({ ...options, startedAt: new Date(), ready: () => listening && !closing });
  const auth = options.basicAuthUsers ? createBasicAuthenticator(options.basicAuthUsers) : null;

  function send(request: IncomingMessage, response: ServerResponse, answer: RouteResponse): void {
    const headers: Record<string, string | number> = {
      ...COMMON_HEADERS,
      ...answer.headers,
      'content-length': Buffer.byteLength(answer.body),
    };
    // Once closing, tell keep-alive clients to go, so the server can finish.
    if (closing) headers.connection = 'close';
    response.writeHead(answer.status, headers);
    response.end(request.method === 'HEAD' ? undefined : answer.body);
  }

  async function answer(request: IncomingMessage): Promise<RouteResponse> {
    const url = request.url ?? '/';
    if (url.length > limits.maxUrlLength) return plain(414, 'URI too long');
    const route = routes.get(pathOf(url));
    // Credentials come before 404, so that an anonymous client cannot map the paths.
    if (auth && !route?.public && !(await auth.verify(request.headers.authorization))) {
      return plain(401, 'unauthorized', { 'www-authenticate': WWW_AUTHENTICATE });
    }
    if (!route) return plain(404, 'not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'method not allowed', { allow: ALLOW });
    }
    return route.handle({
      accept: request.headers.accept,
      acceptEncoding: request.headers['accept-encoding'],
    });
  }

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    inFlight++;
    guard.requestStarted(request.socket);
    const started = process.hrtime.bigint();
    response.once('close', () => {
      inFlight--;
      guard.requestEnded(request.socket);
      if (closing) server.closeIdleConnections();
      logger.debug(
        {
          method: request.method?.slice(0, 16),
          path: pathOf(request.url ?? '/').slice(0, 200),
          status: response.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    void respond(request, response);
  };

  /** Answers one request. Never rejects: a failing handler is a 500, a failing write drops the connection. */
  async function respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let result: RouteResponse;
    try {
      result = await answer(request);
    } catch (error) {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'request failed');
      result = plain(500, 'internal error');
    }
    try {
      send(request, response, result);
    } catch (error) {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'response failed');
      response.destroy();
    }
  }

  const serverOptions = {
    maxHeaderSize: limits.maxHeaderSize,
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
  let server: Server;
  if (options.tls) {
    try {
      server = createHttpsServer(
        {
          ...serverOptions,
          cert: options.tls.cert,
          key: options.tls.key,
          minVersion: options.tls.minVersion,
          maxVersion: options.tls.maxVersion,
        },
        onRequest,
      );
    } catch (error) {
      // OpenSSL's message (e.g. "key values mismatch") names no secret.
      throw new ConfigError(
        'tls_server_config',
        `cannot use the TLS certificate ${options.tls.certFile} with its key: ${(error as Error).message}`,
        { cause: error },
      );
    }
    server.on('tlsClientError', (error) => logger.debug({ err: error.message }, 'TLS handshake failed'));
  } else {
    server = createHttpServer(serverOptions, onRequest);
  }
  // node:http hands CONNECT to this event, and drops the connection when nobody listens: answer it as any
  // other method, on the raw socket the event gives.
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    const { status, headers, body } = plain(405, 'method not allowed', { allow: ALLOW });
    const head = Object.entries({ ...COMMON_HEADERS, ...headers, connection: 'close' })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.on('error', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} Method Not Allowed\r\n${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  const guard = guardConnections(server, {
    tls: options.tls !== null,
    headersTimeoutMs: limits.headersTimeoutMs,
    keepAliveTimeoutMs: limits.keepAliveTimeoutMs,
    maxConnections: limits.maxConnections,
    logger,
  });

  return {
    get inFlight() {
      return inFlight;
    },
    connections: guard.stats,
    listen() {
      return new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once('error', onError);
        server.listen({ host: options.host, port: options.port }, () => {
          server.off('error', onError);
          server.on('error', (error) => logger.error({ err: error.message }, 'server error'));
          if (options.unref) server.unref();
          listening = true;
          const { port } = server.address() as AddressInfo;
          const host = options.host.includes(':') ? `[${options.host}]` : options.host;
          resolve({ host: options.host, port, url: `${options.tls ? 'https' : 'http'}://${host}:${port}` });
        });
      });
    },
    close(timeoutMs) {
      if (closed) return closed;
      closing = true;
      if (!listening) return (closed = Promise.resolve({ graceful: true }));
      closed = new Promise((resolve) => {
        let graceful = true;
        const deadline = setTimeout(() => {
          graceful = false;
          server.closeAllConnections();
        }, timeoutMs);
        server.close(() => {
          clearTimeout(deadline);
          listening = false;
          resolve({ graceful });
        });
        // Connections with no request being answered, silent ones and TLS handshakes included, go at once:
        // only in-flight requests get the grace.
        guard.closeIdle();
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
