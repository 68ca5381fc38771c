import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../../src/config/options.js';
import type { BrokerEndpoint } from '../../src/events.js';
import { createExporter } from '../../src/exporter/create-exporter.js';
import type { CreateExporterOptions, Exporter } from '../../src/exporter/create-exporter.js';
import { silentLogger } from '../../src/logger.js';
import type { MetricSource, SeriesSource } from '../../src/record/metric-source.js';

const BROKER: BrokerEndpoint = { clientId: 'orders', host: '127.0.0.1', port: 9092 };
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';

const open: Exporter[] = [];
function exporter(overrides: Partial<CreateExporterOptions> = {}): Exporter {
  const built = createExporter({
    options: { ...DEFAULT_OPTIONS, host: '127.0.0.1', port: 0 },
    logger: silentLogger,
    ...overrides,
  });
  open.push(built);
  return built;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((built) => built.close(0)));
});

async function scrape(built: Exporter, accept?: string): Promise<string> {
  return (await built.prometheus.metricsResponse(accept)).body;
}

describe('createExporter', () => {
  it('records what capture reports into the series /metrics renders', async () => {
    const built = exporter();
    built.recorder.responseError(BROKER, 0, 3);
    expect(await scrape(built)).toMatch(
      /^kafka_client_response_errors_total\{[^}]*kafka_error_code="3"[^}]*\} 1$/m,
    );
  });

  it('publishes the registry with the category overrides applied', () => {
    const built = exporter({
      options: { ...DEFAULT_OPTIONS, port: 0, categoryOverrides: { '27': 'fatal' } },
    });
    expect(built.codes.find((entry) => entry.code === 27)).toMatchObject({
      name: 'REBALANCE_IN_PROGRESS',
      category: 'fatal',
      retriable: false,
    });
  });

  it('records into the extra sinks as well, after its own prom-client sink', () => {
    const attached: MetricSource[] = [];
    const built = exporter({ sinks: [{ attach: (source) => void attached.push(source) }] });
    expect(built.sinks[0]).toBe(built.prometheus);
    expect(attached).toHaveLength(1);
    built.recorder.undecodableFrame('truncated');
    const seen: number[] = [];
    attached[0]!.forEachSeries('undecodableFrames', (labels, value) => {
      if (labels.reason === 'truncated') seen.push(value);
    });
    expect(seen).toEqual([1]);
  });

  it('adds the families of an extra metric source to both exposition formats, until removed', async () => {
    const built = exporter();
    let connections = 2;
    const proxy: SeriesSource = {
      forEachSeries(family, visit) {
        if (family === 'captureFailures') visit({ kind: 'extra_source' }, connections);
      },
    };
    const remove = built.addMetricSource(proxy);
    expect(await scrape(built)).toContain(
      'kafka_error_exporter_capture_failures_total{kind="extra_source"} 2\n',
    );
    connections = 5;
    expect(await scrape(built, OPENMETRICS)).toContain(
      'kafka_error_exporter_capture_failures_total{kind="extra_source"} 5\n',
    );
    remove();
    expect(await scrape(built)).not.toContain('extra_source');
  });

  it("exposes the HTTP server's connections and the ones it closed, from zero", async () => {
    const built = exporter();
    const { url } = await built.listen();
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^kafka_error_exporter_http_connections [1-9]\d*$/m);
    expect(text).toMatch(
      /^kafka_error_exporter_http_closed_connections_total\{reason="header_timeout"\} 0$/m,
    );
    expect(text).toMatch(
      /^kafka_error_exporter_http_closed_connections_total\{reason="connection_limit"\} 0$/m,
    );
  });

  it('answers /readyz 503 while a readiness check fails, 200 once it passes', async () => {
    const built = exporter();
    let bound = false;
    const remove = built.addReadinessCheck(() => bound);
    const { url } = await built.listen();
    const readyz = async () => {
      const response = await fetch(`${url}/readyz`);
      return { status: response.status, body: await response.text() };
    };
    expect(await readyz()).toEqual({ status: 503, body: 'not ready\n' });
    bound = true;
    expect(await readyz()).toEqual({ status: 200, body: 'ready\n' });
    bound = false;
    remove();
    expect(await readyz()).toEqual({ status: 200, body: 'ready\n' });
  });

  it('closes once: a second close gets the first result, and closing before listen is fine', async () => {
    const never = exporter();
    await expect(never.close()).resolves.toEqual({ graceful: true, otlpFlushed: true });
    const built = exporter();
    const { url } = await built.listen();
    const first = built.close(1_000);
    expect(built.close(1_000)).toBe(first);
    await expect(first).resolves.toEqual({ graceful: true, otlpFlushed: true });
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('flushes the OTLP push on close, within the bound', async () => {
    let shutdowns = 0;
    const otlp = {
      sink: { attach() {} },
      shutdown: () => {
        shutdowns++;
        return new Promise<void>(() => {});
      },
    };
    const built = exporter({ otlp });
    expect(built.sinks).toContain(otlp.sink);
    await expect(built.close(50)).resolves.toEqual({ graceful: true, otlpFlushed: false });
    expect(shutdowns).toBe(1);
  });
});
