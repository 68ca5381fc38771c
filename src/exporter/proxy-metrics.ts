// The protocol proxy's counters as self-metric series, read at collection time (docs/metrics.md).
import type { ProxyStats } from '../capture/proxy/proxy-stats.js';
import { PROXY_CLOSE_REASONS, PROXY_REWRITE_KINDS } from '../capture/proxy/proxy-stats.js';
import type { ScalarFamily, SeriesLabels, SeriesSource } from '../record/metric-source.js';

const NONE: SeriesLabels = Object.freeze({});
const CLIENT: SeriesLabels = Object.freeze({ side: 'client' });
const BROKER: SeriesLabels = Object.freeze({ side: 'broker' });
const TO_BROKER: SeriesLabels = Object.freeze({ direction: 'to_broker' });
const TO_CLIENT: SeriesLabels = Object.freeze({ direction: 'to_client' });
const REWRITES = PROXY_REWRITE_KINDS.map((kind) => [kind, Object.freeze({ rewrite: kind })] as const);
const CLOSES = PROXY_CLOSE_REASONS.map((reason) => [reason, Object.freeze({ reason })] as const);

/** A source of the `kafka_error_exporter_proxy_*` families over the proxy's live counters. */
export function createProxyMetricSource(stats: Readonly<ProxyStats>): SeriesSource {
  return {
    forEachSeries(family: ScalarFamily, visit: (labels: SeriesLabels, value: number) => void): void {
      switch (family) {
        case 'proxyConnections':
          visit(CLIENT, stats.clientConnections);
          visit(BROKER, stats.upstreamConnections);
          return;
        case 'proxyListeners':
          visit(NONE, stats.listeners);
          return;
        case 'proxyBytes':
          visit(TO_BROKER, stats.bytesToUpstream);
          visit(TO_CLIENT, stats.bytesToClient);
          return;
        case 'proxyFrames':
          visit(TO_BROKER, stats.requestFrames);
          visit(TO_CLIENT, stats.responseFrames);
          return;
        case 'proxyRewrites':
          for (const [kind, labels] of REWRITES) visit(labels, stats.rewrites[kind]);
          return;
        case 'proxyClosedConnections':
          for (const [reason, labels] of CLOSES) visit(labels, stats.closed[reason]);
          return;
        case 'proxyUpstreamConnectFailures':
          visit(NONE, stats.upstreamConnectFailures);
          return;
        case 'proxyUnmappedBrokers':
          visit(NONE, stats.unmappedNodes);
          return;
        default:
          return;
      }
    },
  };
}
