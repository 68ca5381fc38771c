// The Kafka protocol proxy of the sidecar: a bootstrap listener, one listener per broker, and a tap on every
// connection that reports to the same recorder as the in-process capture.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { CaptureRecorder } from '../../events.js';
import type { Logger } from '../../logger.js';
import { createConnectionTap } from '../protocol/connection-tap.js';
import type { ConnectionTapOptions } from '../protocol/connection-tap.js';
import { rewriteAddresses } from './address-rewrite.js';
import type { NodeAddress } from './address-rewrite.js';
import { createBrokerListeners } from './broker-listeners.js';
import type { BrokerListeners } from './broker-listeners.js';
import { proxyConnection } from './proxy-connection.js';
import type { ProxyConnection, ProxyConnectionContext } from './proxy-connection.js';
import { createProxyStats } from './proxy-stats.js';
import type { ProxyCloseReason, ProxyStats } from './proxy-stats.js';
import { proxyVersionCaps } from './proxy-versions.js';
import { createUpstreamDialer, describeUpstreamError } from './upstream-dialer.js';
import type { UpstreamDialer, UpstreamTls } from './upstream-dialer.js';

export interface KafkaProxyOptions {
  /** The cluster's bootstrap servers. */
  readonly upstream: readonly NodeAddress[];
  /** TLS to the brokers, originated by the proxy; `null` for plaintext. @default null */
  readonly upstreamTls?: UpstreamTls | null;
  /** Address of the bootstrap and broker listeners. @default '127.0.0.1' */
  readonly listenHost?: string;
  /** The host written into rewritten broker addresses. @default listenHost */
  readonly advertisedHost?: string;
  /** Port of the bootstrap listener; 0 picks a free one. @default 19092 */
  readonly bootstrapPort?: number;
  /** First port of the broker listeners. @default bootstrapPort + 1 */
  readonly brokerBasePort?: number;
  /** Number of broker ports. @default 100 */
  readonly brokerPortCount?: number;
  readonly recorder: CaptureRecorder;
  /** Options of each connection's tap (topic label, frame limit...). */
  readonly tap: Omit<ConnectionTapOptions, 'recorder' | 'onFailure'>;
  /** Time an upstream connect may take. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Client connections open at once, over all listeners; a connection beyond it is closed at once. */
  readonly maxConnections: number;
  /** How often the proxy asks the cluster for its brokers itself. @default 30000 */
  readonly metadataRefreshMs?: number;
  readonly logger: Logger;
}

export interface KafkaProxy {
  /** Opens the bootstrap listener and asks the cluster for its brokers. Rejects on a listen error. */
  start(): Promise<NodeAddress>;
  /** True once the bootstrap listener is up and the cluster has been reached at least once. */
  readonly ready: boolean;
  readonly stats: Readonly<ProxyStats>;
  /** Node id → local port of each broker listener. */
  brokerPorts(): ReadonlyMap<number, number>;
  /**
   * Closes the listeners at once, gives open connections up to `graceMs` to finish, then closes them.
   * Safe to call twice. Resolves `graceful: false` when connections had to be cut.
   */
  close(graceMs: number): Promise<{ graceful: boolean }>;
}

const CLIENT_ID = 'kafka-error-exporter-proxy';
/** The probe's Metadata response lists brokers only: a bigger answer is not read. */
const MAX_PROBE_RESPONSE_BYTES = 1 << 20;
/** Log a kind of closed connection at most this often. */
const LOG_INTERVAL_MS = 60_000;

class Proxy implements KafkaProxy {
  readonly stats = createProxyStats();
  private readonly listeners: BrokerListeners;
  private readonly connections = new Set<ProxyConnection>();
  private readonly ctx: ProxyConnectionContext;
  private bootstrap: Server | null = null;
  private reached = false;
  private listening = false;
  private refresh: NodeJS.Timeout | undefined;
  private closing: Promise<{ graceful: boolean }> | undefined;
  private readonly lastLogged = new Map<string, number>();
  private nextBootstrap = 0;
  private readonly dialer: UpstreamDialer;

  constructor(private readonly options: KafkaProxyOptions) {
    if (options.upstream.length === 0)
      throw new Error('The proxy needs at least one upstream bootstrap server');
    const listenHost = options.listenHost ?? '127.0.0.1';
    const bootstrapPort = options.bootstrapPort ?? 19092;
    this.listeners = createBrokerListeners({
      listenHost,
      advertisedHost: options.advertisedHost ?? listenHost,
      basePort: options.brokerBasePort ?? bootstrapPort + 1,
      portCount: options.brokerPortCount ?? 100,
      onConnection: (socket, nodeId) => this.accept(socket, nodeId),
      onProblem: (problem, detail) => {
        if (problem === 'no_port') this.stats.unmappedNodes++;
        options.logger.error(
          detail,
          problem === 'no_port'
            ? 'kafka proxy: no free port for a broker; clients cannot reach it (widen the broker port range)'
            : 'kafka proxy: cannot listen for a broker',
        );
      },
      onAcceptError: (nodeId, error) => this.acceptFailed(nodeId, error),
      onListenerCount: (delta) => (this.stats.listeners += delta),
    });
    const { recorder } = options;
    this.dialer = createUpstreamDialer(options.upstreamTls ?? null);
    this.ctx = {
      dialer: this.dialer,
      onDialFailure: (target, error) =>
        this.logOnce(
          `dial:${target.host}:${target.port}`,
          {
            broker: `${target.host}:${target.port}`,
            tls: this.dialer.tls,
            error: error === null ? 'timed out' : describeUpstreamError(error, this.dialer.tls),
          },
          'kafka proxy: cannot connect to a broker',
        ),
      caps: proxyVersionCaps(),
      book: this.listeners,
      stats: this.stats,
      recorder,
      createTap: (endpoint) =>
        createConnectionTap(endpoint, {
          ...options.tap,
          recorder,
          onFailure: (kind, error) => {
            recorder.captureFailure(kind);
            this.logOnce(
              `failure:${kind}`,
              { kind, error: (error as Error)?.message },
              'kafka proxy: decoding failed; bytes forwarded unchanged',
            );
          },
        }),
      maxRewriteBytes: options.tap.maxFrameBytes,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      maxBufferedBeforeConnect: 1 << 20,
      onClose: (reason: ProxyCloseReason, detail) =>
        this.logOnce(`close:${reason}`, { reason, ...detail }, 'kafka proxy: closed a connection'),
    };
  }

  get ready(): boolean {
    return this.listening && this.reached;
  }

  brokerPorts(): ReadonlyMap<number, number> {
    return this.listeners.ports();
  }

  async start(): Promise<NodeAddress> {
    const host = this.options.listenHost ?? '127.0.0.1';
    const server = createServer((socket) => this.accept(socket, null));
    this.bootstrap = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.bootstrapPort ?? 19092, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Past the bind, errors are failed accepts (EMFILE under a flood of connections): logged, never a crash.
    server.on('error', (error: NodeJS.ErrnoException) => this.acceptFailed(null, error));
    server.on('close', () => this.stats.listeners--);
    this.stats.listeners++;
    this.listening = true;
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    void this.learnBrokers();
    const every = this.options.metadataRefreshMs ?? 30_000;
    if (every > 0) {
      this.refresh = setInterval(() => void this.learnBrokers(), every);
      this.refresh.unref();
    }
    return { host, port };
  }

  private accept(socket: Socket, nodeId: number | null): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    const max = this.options.maxConnections;
    if (this.connections.size >= max) {
      // A leaking client must not grow the sidecar until it is killed with every other connection of the pod.
      this.stats.closed.connection_limit++;
      this.logOnce(
        'close:connection_limit',
        {
          reason: 'connection_limit',
          maxConnections: max,
          listener: nodeId === null ? 'bootstrap' : `node ${nodeId}`,
        },
        'kafka proxy: closed a connection',
      );
      socket.destroy();
      return;
    }
    let targets: readonly NodeAddress[];
    if (nodeId === null) {
      // Spread bootstrap connections over the bootstrap servers; each falls back to the next.
      const list = this.options.upstream;
      const first = this.nextBootstrap++ % list.length;
      targets = [...list.slice(first), ...list.slice(0, first)];
    } else {
      const upstream = this.listeners.upstreamOf(nodeId);
      targets = upstream === undefined ? [] : [upstream];
    }
    let connection: ProxyConnection;
    try {
      connection = proxyConnection(socket, targets, this.ctx);
    } catch (error) {
      // Never let our own bug take the sidecar down: this client is refused, counted and logged.
      this.options.recorder.captureFailure('proxy');
      this.stats.closed.internal_error++;
      this.logOnce('accept', { error: (error as Error)?.message }, 'kafka proxy: closed a connection');
      socket.destroy();
      return;
    }
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
  }

  /**
   * Asks a bootstrap server for the cluster's brokers (Metadata v1, no topics), which opens their listeners.
   * A cluster that wants authentication first closes the connection: reaching it is then enough.
   */
  private async learnBrokers(): Promise<void> {
    for (const target of this.options.upstream) {
      const outcome = await metadataProbe(
        this.dialer,
        target,
        this.options.connectTimeoutMs ?? 5000,
        this.ctx.onDialFailure,
      );
      if (outcome === null) continue;
      this.reached = true;
      if (outcome.length > 0) {
        try {
          rewriteAddresses(outcome, 3, 1, this.listeners);
        } catch {
          // An answer we cannot read teaches nothing; clients' own Metadata responses will.
        }
      }
      return;
    }
    this.logOnce(
      'unreachable',
      { upstream: this.options.upstream.map((u) => `${u.host}:${u.port}`) },
      'kafka proxy: no bootstrap server reachable',
    );
  }

  private acceptFailed(nodeId: number | null, error: NodeJS.ErrnoException): void {
    this.logOnce(
      `accept:${error.code ?? 'error'}`,
      { listener: nodeId === null ? 'bootstrap' : `node ${nodeId}`, code: error.code, error: error.message },
      'kafka proxy: cannot accept a connection (out of file descriptors?)',
    );
  }

  private logOnce(key: string, detail: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const last = this.lastLogged.get(key);
    if (last !== undefined && now - last < LOG_INTERVAL_MS) return;
    this.lastLogged.set(key, now);
    this.options.logger.warn(detail, message);
  }

  close(graceMs: number): Promise<{ graceful: boolean }> {
    this.closing ??= (async () => {
      clearInterval(this.refresh);
      this.listening = false;
      // Stop accepting now; the close callbacks would wait for the open connections, which get the grace below.
      if (this.bootstrap?.listening) this.bootstrap.close();
      this.listeners.close();
      const open = [...this.connections];
      const drained = Promise.all(open.map((c) => c.closed)).then(() => true);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>(
        (resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, graceMs))),
      );
      const graceful = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      for (const c of this.connections) c.destroy('shutdown');
      return { graceful };
    })();
    return this.closing;
  }
}

/** One Metadata v1 request for no topics; resolves with the response frame, `Buffer(0)` if the connection closed without one, or null if unreachable. */
function metadataProbe(
  dialer: UpstreamDialer,
  target: NodeAddress,
  timeoutMs: number,
  onDialFailure: (target: NodeAddress, error: NodeJS.ErrnoException | null) => void,
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = dialer.dial(target);
    const chunks: Buffer[] = [];
    let connected = false;
    let settled = false;
    const settle = (value: Buffer | null): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => {
      if (!connected) onDialFailure(target, null);
      settle(connected ? Buffer.alloc(0) : null);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) onDialFailure(target, error);
      settle(connected ? Buffer.alloc(0) : null);
    });
    socket.on('close', () => settle(connected ? Buffer.alloc(0) : null));
    socket.on(dialer.ready, () => {
      connected = true;
      const clientId = Buffer.from(CLIENT_ID);
      const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
      let at = body.writeInt16BE(3, 0); // Metadata
      at = body.writeInt16BE(1, at); // v1
      at = body.writeInt32BE(1, at); // correlation id
      at = body.writeInt16BE(clientId.length, at);
      at += clientId.copy(body, at);
      body.writeInt32BE(0, at); // no topics
      const size = Buffer.alloc(4);
      size.writeInt32BE(body.length);
      socket.write(Buffer.concat([size, body]));
    });
    let length = 0;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length < 4) return;
      const size = (chunks.length === 1 ? chunk : Buffer.concat(chunks)).readInt32BE(0);
      // A Metadata answer for no topics is small: anything else is not the answer we asked for.
      if (size < 0 || size > MAX_PROBE_RESPONSE_BYTES) settle(Buffer.alloc(0));
      else if (length >= 4 + size) settle(Buffer.concat(chunks, length).subarray(0, 4 + size));
    });
  });
}

/** A proxy for `options.upstream`; call `start()` to listen. */
export function createKafkaProxy(options: KafkaProxyOptions): KafkaProxy {
  return new Proxy(options);
}
