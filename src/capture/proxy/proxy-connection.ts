// One proxied connection: a client socket, its upstream broker socket, and the bytes between them.
//
// Requests go upstream as they arrive. Responses go back as they arrive too, except the few that carry broker
// addresses or API versions: those are collected whole, rewritten, and sent on. A connection tap reads both
// directions beside the forwarding and reports every error code to the recorder. Back-pressure is TCP's: a
// side whose writes are queued pauses the other side's reads, so memory per connection stays bounded by the
// socket buffers, the two reused read buffers (read-buffer.ts), and at most one rewritten response (with the
// broker's bytes behind it while that response waits for a new broker listener to bind).
import type { Socket } from 'node:net';
import type { BrokerEndpoint, CaptureRecorder } from '../../events.js';
import type { ConnectionTap, TapEndpoint } from '../protocol/connection-tap.js';
import { createFrameReader } from '../protocol/frame-reader.js';
import type { FrameReader } from '../protocol/frame-reader.js';
import { isKnownApiKey } from '../protocol/response-program.js';
import { carriesAddresses, leaksAddresses, rewriteAddresses } from './address-rewrite.js';
import type { NodeAddress, NodeAddressBook } from './address-rewrite.js';
import { capApiVersions } from './api-versions-cap.js';
import type { VersionCaps } from './api-versions-cap.js';
import type { ListenerBinding } from './broker-listeners.js';
import { adoptClientSocket } from './client-socket.js';
import type { ProxyCloseReason, ProxyStats } from './proxy-stats.js';
import type { ReadReceiver } from './read-buffer.js';
import type { UpstreamDialer, UpstreamReceiver } from './upstream-dialer.js';

/** What every connection of one proxy shares. */
export interface ProxyConnectionContext {
  readonly caps: VersionCaps;
  /** The proxy's listener for each node, and whether those handed out are bound yet. */
  readonly book: NodeAddressBook & ListenerBinding;
  readonly stats: ProxyStats;
  readonly recorder: CaptureRecorder;
  /** A tap for a connection to `endpoint` (the client id comes from the first request header). */
  readonly createTap: (endpoint: TapEndpoint) => ConnectionTap;
  /** Responses that must be rewritten are collected up to this size; a larger one closes the connection. */
  readonly maxRewriteBytes: number;
  /** Opens connections to brokers (TCP or TLS). */
  readonly dialer: UpstreamDialer;
  /** An upstream connection attempt failed (logged by the owner, at most once per interval). */
  readonly onDialFailure: (target: NodeAddress, error: NodeJS.ErrnoException | null) => void;
  /** Time an upstream connect may take before the client is refused. */
  readonly connectTimeoutMs: number;
  /** Requests collected before the upstream socket is connected; beyond it the client is paused. */
  readonly maxBufferedBeforeConnect: number;
  /** Reports a connection the proxy closed (logged by the owner, at most once per interval). */
  readonly onClose: (reason: ProxyCloseReason, detail: Record<string, unknown>) => void;
}

/** A live proxied connection. */
export interface ProxyConnection {
  /** Closes both sockets now. */
  destroy(reason?: ProxyCloseReason): void;
  /** Resolves once both sockets are closed. */
  readonly closed: Promise<void>;
}

const PRODUCE = 0;
const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const INT32_MAX = 0x7fffffff;
/** Requests whose responses are rewritten, awaiting their response: bounded like the tap's pending queue. */
const MAX_PENDING_REWRITES = 1024;
/** Bytes of a response frame needed to route it: the size and the correlation id. */
const RESPONSE_PREFIX = 8;
/** How long a refused client's connection waits for its first request, to label the refusal with its id. */
const CLIENT_ID_WAIT_MS = 200;

class Connection implements ProxyConnection {
  private upstream: Socket | null = null;
  private readonly tap: ConnectionTap;
  private readonly requests: FrameReader;
  /** Correlation id → (api key, version) of requests whose responses are rewritten. */
  private readonly rewrites = new Map<number, { apiKey: number; version: number }>();
  /** After SaslHandshake v0, bare SASL tokens travel without a Kafka header until authentication ends. */
  private rawSasl = false;
  private nextCorrelationId = -1;
  /** Client bytes that arrived before the upstream socket connected. */
  private early: Buffer[] | null = [];
  private earlyBytes = 0;
  private clientId = '';
  private done = false;
  private resolveClosed!: () => void;
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  // The response framer's state.
  private readonly prefix = Buffer.alloc(RESPONSE_PREFIX);
  private prefixLen = 0;
  /** Bytes of the current pass-through frame still to forward. */
  private passRemaining = 0;
  /** The response being collected for a rewrite, and how much of it has arrived. */
  private collect: Buffer | null = null;
  private collectFilled = 0;
  private collectFor: { apiKey: number; version: number } | null = null;
  /**
   * Set while a rewritten response waits for the listeners it names to bind: the broker's bytes that follow it
   * (copied) wait behind it, in order, and the broker is not read meanwhile.
   */
  private held: Buffer[] | null = null;
  /** The broker's end of the connection, passed on once the held bytes are. */
  private afterHeld: (() => void) | null = null;

  private readonly client: Socket;

  constructor(
    accepted: Socket,
    private readonly targets: readonly NodeAddress[],
    private readonly ctx: ProxyConnectionContext,
  ) {
    ctx.stats.clientConnections++;
    this.target = targets[0] ?? { host: '', port: 0 };
    this.tap = ctx.createTap((clientId): BrokerEndpoint => {
      this.clientId = clientId;
      if (this.refuse !== null) queueMicrotask(this.refuse);
      return { clientId, host: this.target.host, port: this.target.port };
    });
    this.requests = createFrameReader(
      {
        frame: () => {},
        head: (buf, start, end) => this.onRequestHead(buf, start, end),
        desync: () => this.destroy('malformed_request'),
      },
      { maxFrameBytes: -1, headBytes: 8 },
    );
    const receiver: ReadReceiver = {
      data: (chunk) => {
        try {
          this.fromClient(chunk);
        } catch (error) {
          this.internalError(error);
        }
      },
      // Requests collected before the upstream connects keep their chunks; a queued write points into its chunk.
      holdsReadBuffer: () => this.early !== null || (this.upstream?.writableLength ?? 0) > 0,
    };
    const adopted = adoptClientSocket(accepted, receiver);
    const client = adopted ?? accepted;
    this.client = client;
    if (adopted === null) client.on('data', receiver.data);
    client.setNoDelay(true);
    client.on('end', () => this.upstream?.end());
    client.on('error', () => this.destroy());
    client.on('close', () => this.finish());
    client.on('drain', () => {
      if (this.held === null) this.upstream?.resume();
    });
    this.dial(0);
  }

  /** The upstream address of the current (or last tried) target. */
  private target: NodeAddress;
  /** Set when no target accepted: the refusal waits briefly for the client id of the first request. */
  private refuse: (() => void) | null = null;

  private dial(index: number): void {
    if (this.done) return;
    const target = this.targets[index];
    if (target === undefined) {
      this.ctx.stats.upstreamConnectFailures++;
      let timer: NodeJS.Timeout | undefined;
      this.refuse = () => {
        clearTimeout(timer);
        if (this.done) return;
        this.ctx.recorder.operationError({
          clientId: this.clientId,
          operation: 'connect',
          origin: 'client',
          code: 13, // NETWORK_EXCEPTION
        });
        this.destroy('upstream_unreachable');
      };
      // Clients send their first request at once: wait a moment for its client id, then refuse.
      if (this.clientId !== '' || this.early === null) this.refuse();
      else timer = setTimeout(this.refuse, CLIENT_ID_WAIT_MS);
      return;
    }
    this.target = target;
    const upstream = this.ctx.dialer.dial(target, this.upstreamReceiver);
    upstream.setNoDelay(true);
    upstream.setTimeout(this.ctx.connectTimeoutMs);
    const failed = (error?: NodeJS.ErrnoException): void => {
      upstream.destroy();
      this.ctx.onDialFailure(target, error ?? null);
      this.dial(index + 1);
    };
    upstream.once('timeout', failed);
    upstream.once('error', failed);
    upstream.once(this.ctx.dialer.ready, () => {
      upstream.setTimeout(0);
      upstream.off('timeout', failed);
      upstream.off('error', failed);
      if (this.done) {
        upstream.destroy();
        return;
      }
      this.onUpstream(upstream);
    });
  }

  private onUpstream(upstream: Socket): void {
    this.upstream = upstream;
    this.ctx.stats.upstreamConnections++;
    upstream.on('end', () => this.afterHeldBytes(() => this.client.end()));
    upstream.on('error', () => this.destroy());
    upstream.on('close', () => {
      this.ctx.stats.upstreamConnections--;
      this.afterHeldBytes(() => this.client.destroySoon());
    });
    upstream.on('drain', () => this.client.resume());
    const early = this.early ?? [];
    this.early = null;
    for (const chunk of early) this.toUpstream(chunk);
    this.client.resume();
  }

  private fromClient(chunk: Buffer): void {
    this.ctx.stats.bytesToUpstream += chunk.length;
    this.tap.onRequestBytes(chunk);
    try {
      this.requests.push(chunk);
    } catch {
      // Our own bookkeeping failed: the bytes still go on; the connection is no longer rewritten safely.
      this.destroy('malformed_request');
      return;
    }
    if (this.done) return;
    if (this.early !== null) {
      this.early.push(chunk);
      this.earlyBytes += chunk.length;
      if (this.earlyBytes > this.ctx.maxBufferedBeforeConnect) this.client.pause();
      return;
    }
    this.toUpstream(chunk);
  }

  private toUpstream(chunk: Buffer): void {
    if (!this.upstream!.write(chunk)) this.client.pause();
  }

  private onRequestHead(buf: Buffer, start: number, end: number): void {
    if (end - start < 8) return; // a bare SASL token shorter than a header
    const apiKey = buf.readInt16BE(start);
    const version = buf.readInt16BE(start + 2);
    const correlationId = buf.readInt32BE(start + 4);
    const plausible = version >= 0 && isKnownApiKey(apiKey);
    if (this.rawSasl) {
      if (!plausible || correlationId !== this.nextCorrelationId) return;
      this.rawSasl = false;
    }
    if (!plausible) return;
    this.ctx.stats.requestFrames++;
    this.nextCorrelationId = correlationId >= INT32_MAX ? 0 : correlationId + 1;
    if (apiKey === SASL_HANDSHAKE && version === 0) this.rawSasl = true;
    if (leaksAddresses(apiKey, version)) {
      // Closed before the request goes upstream: its answer would hand the client a broker's own address.
      this.destroy('unsupported_version', { apiKey, version });
      return;
    }
    if (apiKey !== API_VERSIONS && !carriesAddresses(apiKey, version)) return;
    if (this.rewrites.size >= MAX_PENDING_REWRITES) {
      // Requests never answered (a broker that dropped them): the oldest is forgotten.
      const oldest = this.rewrites.keys().next().value;
      if (oldest !== undefined) this.rewrites.delete(oldest);
    }
    this.rewrites.set(correlationId, { apiKey, version });
  }

  /** Bytes from the broker; on plain connections a view of a read buffer that the dialer reuses. */
  private readonly upstreamReceiver: UpstreamReceiver = {
    data: (chunk) => {
      // Kafka brokers only answer: bytes before the connection is ours would be a broker speaking first.
      if (this.upstream === null) this.destroy('malformed_response');
      else {
        try {
          this.fromUpstream(chunk);
        } catch (error) {
          this.internalError(error);
        }
      }
    },
    // Everything forwarded is written to the client (rewrites and the tap copy what they keep).
    holdsReadBuffer: () => this.client.writableLength > 0,
  };

  private fromUpstream(chunk: Buffer): void {
    const len = chunk.length;
    let pos = 0;
    // A run of bytes of `chunk` to forward as one write.
    let runStart = 0;
    let runEnd = 0;
    const flushRun = (): void => {
      if (runEnd > runStart) this.toClient(chunk.subarray(runStart, runEnd));
      runStart = runEnd = pos;
    };
    while (pos < len && !this.done) {
      if (this.held !== null) {
        flushRun();
        this.held.push(Buffer.from(chunk.subarray(pos)));
        return;
      }
      if (this.passRemaining > 0) {
        const n = Math.min(this.passRemaining, len - pos);
        if (runEnd !== pos) flushRun();
        pos += n;
        runEnd = pos;
        this.passRemaining -= n;
        continue;
      }
      if (this.collect !== null) {
        const n = Math.min(this.collect.length - this.collectFilled, len - pos);
        chunk.copy(this.collect, this.collectFilled, pos, pos + n);
        this.collectFilled += n;
        pos += n;
        if (this.collectFilled === this.collect.length) this.finishRewrite();
        continue;
      }
      // A frame starts: its size, then (if it has one) its correlation id.
      flushRun();
      const startedHere = this.prefixLen === 0;
      const prefixStart = pos;
      pos = this.takePrefix(chunk, pos, 4);
      if (this.prefixLen < 4) break;
      const size = this.prefix.readInt32BE(0);
      if (size < 0) {
        this.destroy('malformed_response');
        return;
      }
      const wanted = 4 + Math.min(size, 4);
      pos = this.takePrefix(chunk, pos, wanted);
      if (this.prefixLen < wanted) break;
      this.ctx.stats.responseFrames++;
      const rewrite = size >= 4 ? this.rewrites.get(this.prefix.readInt32BE(4)) : undefined;
      const prefixLen = this.prefixLen;
      this.prefixLen = 0;
      if (rewrite !== undefined) {
        this.rewrites.delete(this.prefix.readInt32BE(4));
        if (size > this.ctx.maxRewriteBytes) {
          this.destroy('rewrite_too_large', { size, apiKey: rewrite.apiKey });
          return;
        }
        this.collect = Buffer.allocUnsafe(4 + size);
        this.prefix.copy(this.collect, 0, 0, prefixLen);
        this.collectFilled = prefixLen;
        this.collectFor = rewrite;
        runStart = runEnd = pos;
        if (this.collectFilled === this.collect.length) this.finishRewrite();
        continue;
      }
      this.passRemaining = 4 + size - prefixLen;
      if (startedHere) {
        // The prefix lies in this chunk: forward it in place, as part of the run.
        runStart = prefixStart;
        runEnd = pos;
      } else {
        this.toClient(Buffer.from(this.prefix.subarray(0, prefixLen)));
        runStart = runEnd = pos;
      }
    }
    if (!this.done && runEnd > runStart) this.toClient(chunk.subarray(runStart, runEnd));
  }

  /** Copies bytes of `chunk` into the prefix until it holds `wanted`; returns the new position. */
  private takePrefix(chunk: Buffer, pos: number, wanted: number): number {
    const n = Math.min(wanted - this.prefixLen, chunk.length - pos);
    if (n <= 0) return pos;
    chunk.copy(this.prefix, this.prefixLen, pos, pos + n);
    this.prefixLen += n;
    return pos + n;
  }

  private finishRewrite(): void {
    const frame = this.collect!;
    const { apiKey, version } = this.collectFor!;
    this.collect = null;
    this.collectFor = null;
    if (apiKey === API_VERSIONS) {
      let out: Buffer;
      try {
        out = capApiVersions(frame, version, this.ctx.caps).frame;
      } catch (error) {
        this.rewriteFailed(apiKey, version, error);
        return;
      }
      this.ctx.stats.rewrites.api_versions++;
      this.toClient(out);
      return;
    }
    const moves = this.ctx.book.moves;
    const out = this.rewriteAddresses(frame, apiKey, version);
    if (out === null) return;
    // The frame itself comes back from a Produce response without NodeEndpoints (KIP-951): nothing rewritten.
    if (apiKey !== PRODUCE) this.ctx.stats.rewrites.broker_addresses++;
    else if (out !== frame) this.ctx.stats.rewrites.node_endpoints++;
    const bound = out === frame ? null : this.ctx.book.whenBound();
    if (bound === null) {
      this.toClient(out);
      return;
    }
    this.held = [];
    this.upstream?.pause();
    void bound.then(() => this.guardedRelease(frame, apiKey, version, moves, out));
  }

  private guardedRelease(frame: Buffer, apiKey: number, version: number, moves: number, out: Buffer): void {
    try {
      this.release(frame, apiKey, version, moves, out);
    } catch (error) {
      this.internalError(error);
    }
  }

  /** A failure in our own forwarding code: counted and logged, and the connection, whose state is unknown, closed. */
  private internalError(error: unknown): void {
    this.ctx.recorder.captureFailure('proxy');
    this.destroy('internal_error', { error: error instanceof Error ? error.message : 'unknown' });
  }

  /** The response with the proxy's addresses, or null when it cannot be read (the connection is closed). */
  private rewriteAddresses(frame: Buffer, apiKey: number, version: number): Buffer | null {
    try {
      return rewriteAddresses(frame, apiKey, version, this.ctx.book);
    } catch (error) {
      this.rewriteFailed(apiKey, version, error);
      return null;
    }
  }

  private rewriteFailed(apiKey: number, version: number, error: unknown): void {
    // Never let an address through unrewritten: the client reconnects and asks again.
    this.ctx.recorder.undecodableFrame('malformed');
    this.destroy('rewrite_failed', { apiKey, version, error: (error as Error).message });
  }

  /**
   * The listeners a held response names are bound: it goes to the client, then the bytes held behind it. If a
   * node moved meanwhile (its port failed to bind), the response is rewritten again to name the new port.
   */
  private release(frame: Buffer, apiKey: number, version: number, moves: number, out: Buffer): void {
    if (this.done) return;
    if (this.ctx.book.moves !== moves) {
      const again = this.rewriteAddresses(frame, apiKey, version);
      if (again === null) return;
      const bound = this.ctx.book.whenBound();
      const movesNow = this.ctx.book.moves;
      if (bound !== null) {
        void bound.then(() => this.guardedRelease(frame, apiKey, version, movesNow, again));
        return;
      }
      out = again;
    }
    const queued = this.held ?? [];
    this.held = null;
    this.toClient(out);
    for (let i = 0; i < queued.length; i++) {
      if (this.done) return;
      // fromUpstream may hold again (a second response naming a new node): the rest waits behind that one.
      const heldAgain = this.held as Buffer[] | null;
      if (heldAgain !== null) {
        heldAgain.push(...queued.slice(i));
        return;
      }
      this.fromUpstream(queued[i]!);
    }
    if (this.done || (this.held as Buffer[] | null) !== null) return;
    const after = this.afterHeld;
    this.afterHeld = null;
    if (after !== null) after();
    else if (!this.client.writableNeedDrain) this.upstream?.resume();
  }

  /** Runs `action` now, or after the held bytes when a response is held. */
  private afterHeldBytes(action: () => void): void {
    if (this.held === null) action();
    else this.afterHeld ??= action;
  }

  private toClient(bytes: Buffer): void {
    this.ctx.stats.bytesToClient += bytes.length;
    this.tap.onResponseBytes(bytes);
    if (!this.client.write(bytes)) this.upstream?.pause();
  }

  destroy(reason?: ProxyCloseReason, detail: Record<string, unknown> = {}): void {
    if (this.done) return;
    this.done = true;
    if (reason !== undefined) {
      this.ctx.stats.closed[reason]++;
      this.ctx.onClose(reason, {
        clientId: this.clientId,
        upstream: `${this.target.host}:${this.target.port}`,
        ...detail,
      });
    }
    this.client.destroy();
    this.upstream?.destroy();
  }

  private finish(): void {
    if (!this.done) {
      this.done = true;
      this.upstream?.destroy();
    }
    if (this.early !== null) this.early = null;
    this.ctx.stats.clientConnections--;
    this.resolveClosed();
  }
}

/**
 * Proxies `client` to the first of `targets` that accepts a connection. Never throws; problems close this
 * connection only, and are counted.
 */
export function proxyConnection(
  client: Socket,
  targets: readonly NodeAddress[],
  ctx: ProxyConnectionContext,
): ProxyConnection {
  return new Connection(client, targets, ctx);
}
