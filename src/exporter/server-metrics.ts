// The HTTP server's connection counters as self-metric series, read at collection time (docs/metrics.md).
import type { ScalarFamily, SeriesLabels, SeriesSource } from '../record/metric-source.js';
import { CONNECTION_CLOSE_REASONS } from '../server/connection-guard.js';
import type { ConnectionStats } from '../server/connection-guard.js';

const NONE: SeriesLabels = Object.freeze({});
const CLOSES = CONNECTION_CLOSE_REASONS.map((reason) => [reason, Object.freeze({ reason })] as const);

/** A source of the `kafka_error_exporter_http_*` families over the server's live counters. */
export function createServerMetricSource(stats: ConnectionStats): SeriesSource {
  return {
    forEachSeries(family: ScalarFamily, visit: (labels: SeriesLabels, value: number) => void): void {
      if (family === 'httpConnections') visit(NONE, stats.open);
      else if (family === 'httpClosedConnections') {
        for (const [reason, labels] of CLOSES) visit(labels, stats.closed[reason]);
      }
    },
  };
}
