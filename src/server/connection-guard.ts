// Bounds on the connections of the exporter's server, which node:http leaves open: a connection must deliver a
// complete request head in time, their number is capped, and idle ones can be closed at once on shutdown.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';

/** Why the server closed a connection itself (the self-metric's `reason`). */
export const CONNECTION_CLOSE_REASONS = ['header_timeout', 'connection_limit'] as const;
export type ConnectionCloseReason = (typeof CONNECTION_CLOSE_REASONS)[number];

/** Live counters of the server's connections, read at collection time. */
export interface ConnectionStats {
  /** Open TCP connections, TLS handshakes included. */
  readonly open: number;
  /** Connections the server closed itself, by reason. */
  readonly closed: Readonly<Record<ConnectionCloseReason, number>>;
}

export interface ConnectionGuardOptions {
  /** Whether the server speaks TLS: requests then arrive on the TLS socket over the TCP one. */
  readonly tls: boolean;
  /** Time from connecting (TLS handshake included) to a complete request head, in milliseconds. */
  readonly headersTimeoutMs: number;
  /** Idle time node:http keeps a keep-alive connection; a next request head must be complete within it plus `headersTimeoutMs`. */
  readonly keepAliveTimeoutMs: number;
  /** Most connections open at once. */
  readonly maxConnections: number;
  readonly logger: Logger;
  /** At most one warning about the connection limit per this many milliseconds. @default 60_000 */
  readonly warnIntervalMs?: number;
}

export interface ConnectionGuard {
  readonly stats: ConnectionStats;
  /** A request head arrived on `socket` (the request's socket): the connection is busy until `requestEnded`. */
  requestStarted(socket: Socket): void;
  /** The response to a request on `socket` is done. */
  requestEnded(socket: Socket): void;
  /** Closes every connection with no request being answered: silent ones, handshakes, idle keep-alives. */
  closeIdle(): void;
}

interface Connection {
  /** The TCP socket: destroying it closes the TLS socket over it too. */
  readonly tcp: Socket;
  /** Requests being answered. */
  busy: number;
  timer: NodeJS.Timeout | undefined;
}

const key = (socket: Socket): string => `${socket.remoteAddress}|${socket.remotePort}`;

/**
 * Watches the connections of `server` (attach before `listen`). A connection that has no complete request head
 * within `headersTimeoutMs` of connecting, or of its last response plus the keep-alive time, is closed
 * (`header_timeout`). Past `maxConnections`, the oldest connection with no request being answered is closed to
 * make room, or the new one when every connection is busy (`connection_limit`, warned about once per interval).
 */
export function guardConnections(server: Server, options: ConnectionGuardOptions): ConnectionGuard {
  const { logger } = options;
  const warnIntervalMs = options.warnIntervalMs ?? 60_000;
  // In order of connecting, so that the first idle one is the oldest.
  const connections = new Map<Socket, Connection>();
  // The connection a request's socket belongs to (the TCP socket itself, or the TLS socket over it).
  const bySocket = new WeakMap<Socket, Connection>();
  const awaitingTls = new Map<string, Connection>();
  const closed: Record<ConnectionCloseReason, number> = { header_timeout: 0, connection_limit: 0 };
  let lastWarning = -Infinity;
  let unwarned = 0;

  function close(connection: Connection, reason: ConnectionCloseReason): void {
    closed[reason]++;
    connection.tcp.destroy();
  }

  function arm(connection: Connection, ms: number): void {
    clearTimeout(connection.timer);
    connection.timer = setTimeout(() => close(connection, 'header_timeout'), ms);
    connection.timer.unref();
  }

  function overLimit(incoming: Connection): void {
    let victim: Connection = incoming;
    for (const connection of connections.values()) {
      if (connection !== incoming && connection.busy === 0) {
        victim = connection;
        break;
      }
    }
    close(victim, 'connection_limit');
    unwarned++;
    const now = Date.now();
    if (now - lastWarning >= warnIntervalMs) {
      logger.warn(
        { maxConnections: options.maxConnections, closed: unwarned },
        'HTTP connection limit reached: closed idle or new connections',
      );
      lastWarning = now;
      unwarned = 0;
    }
  }

  server.on('connection', (tcp: Socket) => {
    const connection: Connection = { tcp, busy: 0, timer: undefined };
    connections.set(tcp, connection);
    if (options.tls) {
      const id = key(tcp);
      awaitingTls.set(id, connection);
      tcp.once('close', () => {
        if (awaitingTls.get(id) === connection) awaitingTls.delete(id);
      });
    } else {
      bySocket.set(tcp, connection);
    }
    tcp.once('close', () => {
      clearTimeout(connection.timer);
      connections.delete(tcp);
    });
    arm(connection, options.headersTimeoutMs);
    if (connections.size > options.maxConnections) overLimit(connection);
  });
  if (options.tls) {
    // The TLS socket has the TCP socket's remote address and port, which identify it among the open ones.
    server.on('secureConnection', (socket: Socket) => {
      const id = key(socket);
      const connection = awaitingTls.get(id);
      if (!connection) return;
      awaitingTls.delete(id);
      bySocket.set(socket, connection);
    });
  }

  return {
    stats: {
      get open() {
        return connections.size;
      },
      closed,
    },
    requestStarted(socket) {
      const connection = bySocket.get(socket);
      if (!connection) return;
      connection.busy++;
      clearTimeout(connection.timer);
    },
    requestEnded(socket) {
      const connection = bySocket.get(socket);
      if (!connection || connection.busy === 0) return;
      connection.busy--;
      if (connection.busy === 0 && !connection.tcp.destroyed) {
        // node:http closes an idle keep-alive connection itself; this bounds a next request head trickling in.
        arm(connection, options.keepAliveTimeoutMs + options.headersTimeoutMs);
      }
    },
    closeIdle() {
      for (const connection of connections.values()) {
        if (connection.busy === 0) connection.tcp.destroy();
      }
    },
  };
}
