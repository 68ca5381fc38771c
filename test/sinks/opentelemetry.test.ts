import { metrics } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { HistogramMetricData, MetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { PACKAGE_VERSION } from '../../src/record/build-info.js';
import { createRecorder } from '../../src/record/recorder.js';
import { METRICS, THROTTLE_BUCKETS_SECONDS } from '../../src/metrics/names.js';
import { createOpenTelemetrySink, METER_NAME, toAttributes } from '../../src/sinks/opentelemetry.js';
import { BROKER_1, playStandardStream, withSelfMetricSources } from './event-stream.js';

/** An in-memory reader: `collect()` on demand. */
class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

async function collect(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === METER_NAME);
  return new Map((scope?.metrics ?? []).map((metric) => [metric.descriptor.name, metric]));
}

function setup() {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const recorder = createRecorder({
    sinks: withSelfMetricSources([createOpenTelemetrySink({ meterProvider })]),
    logger: silentLogger,
  });
  return { reader, recorder, meterProvider };
}

afterEach(() => metrics.disable());

describe('createOpenTelemetrySink', () => {
  it('creates every instrument of the table with its unit, description and kind', async () => {
    const { reader, recorder } = setup();
    playStandardStream(recorder);
    const collected = await collect(reader);
    for (const def of Object.values(METRICS)) {
      const metric = collected.get(def.otelName);
      expect(metric?.descriptor).toMatchObject({ unit: def.unit, description: def.help });
      const kind = {
        counter: DataPointType.SUM,
        gauge: DataPointType.GAUGE,
        histogram: DataPointType.HISTOGRAM,
      };
      expect(metric?.dataPointType).toBe(kind[def.type]);
      if (def.type === 'counter') expect(metric).toMatchObject({ isMonotonic: true });
    }
  });

  it('reports cumulative counter values with semantic-convention attribute keys', async () => {
    const { reader, recorder } = setup();
    recorder.response(BROKER_1, 0);
    recorder.response(BROKER_1, 0);
    await collect(reader);
    recorder.response(BROKER_1, 0);
    const points = (await collect(reader)).get('kafka.client.responses')!.dataPoints;
    expect(points.map((p) => [p.attributes, p.value])).toEqual([
      [
        {
          'kafka.api.name': 'Produce',
          'messaging.client.id': 'orders-service',
          'server.address': '127.0.0.1',
          'server.port': 9092,
        },
        3,
      ],
    ]);
  });

  it('records throttle times into the contract buckets', async () => {
    const { reader, recorder } = setup();
    recorder.throttle(BROKER_1, 0, 30);
    recorder.throttle(BROKER_1, 0, 70_000);
    const histogram = (await collect(reader)).get('kafka.client.throttle.time') as HistogramMetricData;
    const [point] = histogram.dataPoints;
    expect(point!.value.buckets.boundaries).toEqual(THROTTLE_BUCKETS_SECONDS);
    expect(point!.value.buckets.counts).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(point!.value).toMatchObject({ count: 2, sum: 70.03 });
  });

  it('names its meter kafka-error-exporter with the package version', async () => {
    const { reader } = setup();
    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.scopeMetrics.map((s) => s.scope)).toContainEqual({
      name: METER_NAME,
      version: PACKAGE_VERSION,
      schemaUrl: undefined,
    });
  });

  it('uses the global MeterProvider when given none', async () => {
    const reader = new TestReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    createRecorder({ sinks: [createOpenTelemetrySink()], logger: silentLogger }).response(BROKER_1, 3);
    expect((await collect(reader)).get('kafka.client.responses')?.dataPoints).toHaveLength(1);
  });

  it('attaches to one recorder only', () => {
    const sink = createOpenTelemetrySink({ meterProvider: new MeterProvider() });
    createRecorder({ sinks: [sink], logger: silentLogger });
    expect(() => createRecorder({ sinks: [sink], logger: silentLogger })).toThrow('already attached');
  });
});

describe('toAttributes', () => {
  it('maps Prometheus label names to OpenTelemetry keys, server.port as an integer', () => {
    expect(
      toAttributes({
        kafka_error_code: '3',
        error_type: 'X',
        server_port: '0',
        messaging_destination_name: 't',
      }),
    ).toEqual({
      'kafka.error.code': '3',
      'error.type': 'X',
      'server.port': 0,
      'messaging.destination.name': 't',
    });
  });
});
