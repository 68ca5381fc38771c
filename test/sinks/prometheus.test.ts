import { Counter, Registry } from 'prom-client';
import type { OpenMetricsContentType, PrometheusContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createRecorder } from '../../src/record/recorder.js';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../../src/sinks/exposition.js';
import { createPrometheusSink } from '../../src/sinks/prometheus.js';
import { BROKER_1, playStandardStream } from './event-stream.js';

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

function userRegistry(
  format: 'prometheus' | 'openmetrics',
): Registry<PrometheusContentType | OpenMetricsContentType> {
  const registry = new Registry<PrometheusContentType | OpenMetricsContentType>();
  if (format === 'openmetrics') registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

describe.each([
  ['prometheus', '_total', ''],
  ['openmetrics', '', '# EOF\n'],
] as const)('a user registry in %s format', (format, familySuffix, trailer) => {
  it('holds every family in its own format, next to the user metrics', async () => {
    const registry = userRegistry(format);
    new Counter({ name: 'app_requests_total', help: 'The app’s own metric.', registers: [registry] }).inc();
    createRecorder({ sinks: [createPrometheusSink({ registry })], logger: silentLogger }).response(
      BROKER_1,
      0,
    );
    const text = await registry.metrics();
    expect(text).toContain(`# TYPE kafka_client_responses${familySuffix} counter\n`);
    expect(text).toContain(
      'kafka_client_responses_total{kafka_api_name="Produce",messaging_client_id="orders-service"',
    );
    expect(text).toContain('# TYPE kafka_client_throttle_time_seconds histogram');
    expect(text).toContain('app_requests_total 1');
    expect(text.endsWith(trailer)).toBe(true);
  });

  it('refuses a registry that already holds one of the families, naming it', () => {
    const registry = userRegistry(format);
    new Counter({ name: 'kafka_client_responses_total', help: 'clash', registers: [registry] });
    expect(() =>
      createRecorder({ sinks: [createPrometheusSink({ registry })], logger: silentLogger }),
    ).toThrow('kafka_client_responses_total');
  });
});

describe('createPrometheusSink', () => {
  it('serves OpenMetrics to Prometheus and text to everyone else, from the same aggregate', async () => {
    const sink = createPrometheusSink();
    playStandardStream(createRecorder({ sinks: [sink], logger: silentLogger }));
    const om = await sink.metricsResponse(PROMETHEUS_ACCEPT);
    const text = await sink.metricsResponse('*/*');
    const none = await sink.metricsResponse();
    expect(om.contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(om.body).toContain('# TYPE kafka_client_response_errors counter\n');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    expect(text.contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(none).toEqual(text);
    const samples = (body: string) => body.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(samples(om.body)).toEqual(samples(text.body));
  });

  it('keeps _total in the text format after an OpenMetrics scrape (prom-client renames shared counters)', async () => {
    const sink = createPrometheusSink();
    createRecorder({ sinks: [sink], logger: silentLogger }).response(BROKER_1, 0);
    await sink.metricsResponse('application/openmetrics-text');
    const { body } = await sink.metricsResponse('text/plain');
    expect(body).toContain('# TYPE kafka_client_responses_total counter');
  });

  it('gives getMetricsAsJSON plain labels, as prom-client metrics do', async () => {
    const sink = createPrometheusSink();
    createRecorder({ sinks: [sink], logger: silentLogger }).throttle(BROKER_1, 0, 5);
    const json = await sink.registry.getMetricsAsJSON();
    const throttle = json.find((metric) => metric.name === 'kafka_client_throttle_time_seconds')!;
    expect(throttle.values[0]).toEqual({
      value: 0,
      labels: {
        le: '0.001',
        kafka_api_name: 'Produce',
        messaging_client_id: 'orders-service',
        server_address: '127.0.0.1',
        server_port: '9092',
      },
      metricName: 'kafka_client_throttle_time_seconds_bucket',
    });
  });

  it('leaves the recorded values alone on a registry reset', async () => {
    const sink = createPrometheusSink();
    createRecorder({ sinks: [sink], logger: silentLogger }).response(BROKER_1, 0);
    sink.registry.resetMetrics();
    expect(await sink.registry.metrics()).toContain('server_port="9092"} 1');
  });

  it('registers nothing before a recorder attaches, and attaches once', async () => {
    const sink = createPrometheusSink();
    expect(sink.registry.getMetricsAsArray()).toHaveLength(0);
    createRecorder({ sinks: [sink], logger: silentLogger });
    expect(() => createRecorder({ sinks: [sink], logger: silentLogger })).toThrow('already attached');
  });
});
