import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createRecorder } from '../../src/record/recorder.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../src/sinks/exposition.js';
import { createOpenTelemetrySink } from '../../src/sinks/opentelemetry.js';
import { createOtelPipeline } from '../../src/sinks/otel-pipeline.js';
import type { OtelPipeline, OtelPipelineOptions } from '../../src/sinks/otel-pipeline.js';
import { BROKER_1 } from './event-stream.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function pipelineWithData(options: OtelPipelineOptions = {}): OtelPipeline {
  const pipeline = createOtelPipeline(options);
  cleanup.push(() => pipeline.shutdown());
  const recorder = createRecorder({
    sinks: [createOpenTelemetrySink({ meterProvider: pipeline.meterProvider })],
    logger: silentLogger,
  });
  recorder.response(BROKER_1, 0);
  recorder.throttle(BROKER_1, 0, 40);
  return pipeline;
}

async function serve(handler: RequestListener): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createOtelPipeline', () => {
  it('serves the contract names on its own /metrics, without scope labels', async () => {
    const pipeline = pipelineWithData({ serviceName: 'sidecar-test' });
    const { host, port } = await pipeline.listen({ port: 0 });
    expect(host).toBe('127.0.0.1');
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    const body = await response.text();
    expect(body).toContain('# TYPE kafka_client_throttle_time_seconds histogram');
    expect(body).toContain('kafka_client_throttle_time_seconds_count{kafka_api_name="Produce"');
    expect(body).toContain('# TYPE kafka_client_responses_total counter');
    expect(body).toContain('target_info{service_name="sidecar-test"');
    expect(body).not.toContain('otel_scope_name');
  });

  it.each([
    ['GET', '/elsewhere', 404],
    ['POST', '/metrics', 405],
    ['HEAD', '/metrics', 200],
  ])('answers %s %s with %i on its own server', async (method, path, status) => {
    const pipeline = pipelineWithData();
    const { port } = await pipeline.listen({ port: 0 });
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    expect(response.status).toBe(status);
    if (method === 'HEAD') expect(await response.text()).toBe('');
  });

  it('offers a request handler to mount on another server', async () => {
    const pipeline = pipelineWithData();
    const base = await serve((request, response) => pipeline.handleRequest(request, response));
    const body = await (await fetch(`${base}/any/route`)).text();
    expect(body).toContain('kafka_client_responses_total{');
    expect((await pipeline.metricsResponse()).body).toContain('kafka_client_responses_total{');
  });

  it('keeps scope labels and drops target_info when asked', async () => {
    const body = await pipelineWithData({ withoutScopeInfo: false, withoutTargetInfo: true }).metricsText();
    expect(body).toContain('otel_scope_name="kafka-error-exporter"');
    expect(body).not.toContain('target_info');
  });

  it('pushes the semantic-convention names over OTLP/HTTP, flushing on shutdown', async () => {
    const bodies: string[] = [];
    const base = await serve((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        bodies.push(`${request.method} ${request.url} ${body}`);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const pipeline = pipelineWithData({ otlp: { url: `${base}/v1/metrics`, intervalMillis: 60_000 } });
    await pipeline.shutdown();
    await pipeline.shutdown();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatch(/^POST \/v1\/metrics /);
    expect(bodies[0]).toContain('"name":"kafka.client.throttle.time"');
    expect(bodies[0]).toContain('"name":"kafka.client.responses"');
  });

  it('stops safely when it never listened', async () => {
    const pipeline = createOtelPipeline();
    await pipeline.shutdown();
    await expect(pipeline.shutdown()).resolves.toBeUndefined();
  });
});

describe("a user's own OpenTelemetry pipeline with exporter-prometheus 0.223", () => {
  it('shows the throttle histogram without the unit suffix, and scope labels on every series', async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const meterProvider = new MeterProvider({ readers: [exporter] });
    cleanup.push(() => meterProvider.shutdown());
    const recorder = createRecorder({
      sinks: [createOpenTelemetrySink({ meterProvider })],
      logger: silentLogger,
    });
    recorder.throttle(BROKER_1, 0, 40);
    const base = await serve((request, response) => exporter.getMetricsRequestHandler(request, response));
    const body = await (await fetch(`${base}/metrics`)).text();
    expect(body).toContain('# TYPE kafka_client_throttle_time histogram');
    expect(body).toMatch(/kafka_client_throttle_time_count\{[^}]*otel_scope_name="kafka-error-exporter"/);
    expect(body).toContain('# UNIT kafka_client_throttle_time s');
  });
});
