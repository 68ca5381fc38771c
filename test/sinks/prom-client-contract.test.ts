// The part of prom-client's Registry that src/sinks/prometheus.ts relies on and prom-client does not document:
// at render time it calls a metric's `getForPromString()` when there is one (not `get()`), formats each value's
// `sharedLabels` after its `labels`, and prints `metricName` when given. prom-client is pinned to ~15.1 for this;
// if an update changes the path, this test fails before /metrics does.
import { createRequire } from 'node:module';
import { Registry } from 'prom-client';
import type { Metric, OpenMetricsContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';

const VERSION = (createRequire(import.meta.url)('prom-client/package.json') as { version: string }).version;

/** A duck-typed metric as the sink builds them: `get()` and `getForPromString()` answer differently. */
function duckMetric(name: string): Metric {
  const head = { name, help: 'A contract probe.', type: 'counter', aggregator: 'sum' };
  return {
    ...head,
    async get() {
      return { ...head, values: [{ value: 1, labels: { via: 'get' } }] };
    },
    async getForPromString() {
      return {
        ...head,
        values: [
          { value: 2, labels: { le: '1' }, sharedLabels: { via: 'shared', client: 'a' } },
          { value: 3, labels: {}, sharedLabels: { via: 'shared', client: 'b' }, metricName: `${name}_extra` },
        ],
      };
    },
    reset() {},
  } as unknown as Metric;
}

describe('prom-client', () => {
  it('is the pinned minor version, 15.1', () => {
    expect(VERSION).toMatch(/^15\.1\./);
  });

  // OpenMetrics appends `_total` to a counter's samples: the sink registers its counters there without it.
  it.each([
    ['Prometheus text', 'probe_total', () => new Registry()],
    [
      'OpenMetrics',
      'probe',
      () => {
        const registry = new Registry<OpenMetricsContentType>();
        registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
        return registry;
      },
    ],
  ])(
    'renders %s from getForPromString, sharedLabels after labels, and metricName',
    async (_format, name, make) => {
      const registry = make();
      registry.registerMetric(duckMetric(name));
      const text = await registry.metrics();
      expect(text).toContain('probe_total{le="1",via="shared",client="a"} 2\n');
      expect(text).toMatch(/^probe(_total)?_extra(_total)?\{via="shared",client="b"\} 3$/m);
      expect(text).not.toContain('via="get"');
    },
  );

  it('still gives getMetricsAsJSON from get()', async () => {
    const registry = new Registry();
    registry.registerMetric(duckMetric('probe_total'));
    const [json] = await registry.getMetricsAsJSON();
    expect(json!.values).toEqual([{ value: 1, labels: { via: 'get' } }]);
  });
});
