// The proxy's own counters and gauges: plain numbers, read at scrape time.

/** Why a proxied connection was closed by the proxy itself. */
export const PROXY_CLOSE_REASONS = [
  'malformed_request',
  'malformed_response',
  'rewrite_failed',
  'rewrite_too_large',
  'upstream_unreachable',
  'unsupported_version',
  'shutdown',
  // An exception inside the proxy's own forwarding: the connection's state is unknown, so it is closed.
  'internal_error',
  // A client connection beyond --proxy-max-connections: refused at once, before any upstream connection.
  'connection_limit',
] as const;
export type ProxyCloseReason = (typeof PROXY_CLOSE_REASONS)[number];

/** What the proxy rewrote in a response. */
export const PROXY_REWRITE_KINDS = ['broker_addresses', 'node_endpoints', 'api_versions'] as const;
export type ProxyRewriteKind = (typeof PROXY_REWRITE_KINDS)[number];

export interface ProxyStats {
  /** Open client connections (gauge). */
  clientConnections: number;
  /** Open upstream connections (gauge). */
  upstreamConnections: number;
  /** Listening sockets: the bootstrap listener and one per broker (gauge). */
  listeners: number;
  bytesToUpstream: number;
  bytesToClient: number;
  /** Request frames forwarded to the cluster. */
  requestFrames: number;
  /** Response frames forwarded to clients. */
  responseFrames: number;
  readonly rewrites: Record<ProxyRewriteKind, number>;
  readonly closed: Record<ProxyCloseReason, number>;
  /** Client connections refused because no upstream target accepted (refused, timed out, unresolvable, TLS). */
  upstreamConnectFailures: number;
  /** Node ids that got no port of the configured range. */
  unmappedNodes: number;
}

export function createProxyStats(): ProxyStats {
  return {
    clientConnections: 0,
    upstreamConnections: 0,
    listeners: 0,
    bytesToUpstream: 0,
    bytesToClient: 0,
    requestFrames: 0,
    responseFrames: 0,
    rewrites: Object.fromEntries(PROXY_REWRITE_KINDS.map((k) => [k, 0])) as Record<ProxyRewriteKind, number>,
    closed: Object.fromEntries(PROXY_CLOSE_REASONS.map((k) => [k, 0])) as Record<ProxyCloseReason, number>,
    upstreamConnectFailures: 0,
    unmappedNodes: 0,
  };
}
