// Test helper: a sink that keeps the recorder's MetricSource, and a reader that turns it into plain data.
import type { MetricSource, RecorderSink, ScalarFamily } from '../../src/record/metric-source.js';

export interface SourceSpy extends RecorderSink {
  readonly source: MetricSource;
}

export function sourceSpy(): SourceSpy {
  let captured: MetricSource | undefined;
  return {
    attach(source) {
      captured = source;
    },
    get source() {
      if (!captured) throw new Error('not attached');
      return captured;
    },
  };
}

/** Every series of a family as `label=value,…` → value. */
export function series(source: MetricSource, family: ScalarFamily): Map<string, number> {
  const out = new Map<string, number>();
  source.forEachSeries(family, (labels, value) => {
    out.set(
      Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      value,
    );
  });
  return out;
}
