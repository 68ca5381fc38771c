// Extra self-metric sources: families the recorder does not count (e.g. the protocol proxy's), read by every
// sink at collection time next to the recorder's own series.
import type { MetricSource, RecorderSink, SeriesSource } from '../record/metric-source.js';

/** A growing set of extra sources, and the sink wrapper that makes every sink read them. */
export interface SeriesSources {
  /** Adds a source; returns how to remove it again. */
  add(source: SeriesSource): () => void;
  /** `sink`, attached to the recorder's source merged with the extra ones (added before or after). */
  wrap(sink: RecorderSink): RecorderSink;
}

export function createSeriesSources(): SeriesSources {
  const extra: SeriesSource[] = [];
  function merged(base: MetricSource): MetricSource {
    return {
      forEachSeries(family, visit) {
        base.forEachSeries(family, visit);
        for (const source of extra) source.forEachSeries(family, visit);
      },
      forEachHistogram: (visit) => base.forEachHistogram(visit),
      onThrottle: (listener) => base.onThrottle(listener),
    };
  }
  return {
    add(source) {
      extra.push(source);
      return () => {
        const i = extra.indexOf(source);
        if (i >= 0) extra.splice(i, 1);
      };
    },
    wrap(sink) {
      return { attach: (source) => sink.attach(merged(source)) };
    },
  };
}
