// A recorder sink that sums the throttle-time histogram and the responses per API, for the demo's table.
import type { MetricSource, RecorderSink } from '../src/record/metric-source.js';

/** Throttled responses of one API so far. */
export interface ThrottleRow {
  readonly api: string;
  /** Responses whose throttle_time_ms was above zero. */
  readonly throttled: number;
  /** Their throttle times added up, in seconds. */
  readonly seconds: number;
  /** Every response of this API (the denominator). */
  readonly responses: number;
}

/** A sink to pass to `createRecorder`, read on demand. */
export interface ThrottleSummarySink extends RecorderSink {
  /** One row per API that was throttled at least once, most throttled first; empty before `attach`. */
  rows(): ThrottleRow[];
  /** Every broker response seen so far. */
  totalResponses(): number;
}

/** Creates the sink. It only reads the recorder's aggregate when asked, so it costs nothing on the hot path. */
export function createThrottleSummarySink(): ThrottleSummarySink {
  let source: MetricSource | undefined;
  return {
    attach(metricSource) {
      if (source !== undefined) throw new Error('This summary sink is already attached to a recorder');
      source = metricSource;
    },
    rows() {
      if (source === undefined) return [];
      const byApi = new Map<string, { throttled: number; seconds: number; responses: number }>();
      source.forEachHistogram((labels, histogram) => {
        if (histogram.count === 0) return;
        const api = labels.kafka_api_name ?? '?';
        const row = byApi.get(api) ?? { throttled: 0, seconds: 0, responses: 0 };
        row.throttled += histogram.count;
        row.seconds += histogram.sum;
        byApi.set(api, row);
      });
      source.forEachSeries('responses', (labels, value) => {
        const row = byApi.get(labels.kafka_api_name ?? '?');
        if (row !== undefined) row.responses += value;
      });
      return [...byApi]
        .map(([api, row]) => ({ api, ...row }))
        .sort((a, b) => b.throttled - a.throttled || a.api.localeCompare(b.api));
    },
    totalResponses() {
      let total = 0;
      source?.forEachSeries('responses', (_labels, value) => (total += value));
      return total;
    },
  };
}
