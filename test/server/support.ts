// Test support for the server: simple real sources (prom-client registries) and a small HTTP client.
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Counter, Registry } from 'prom-client';
import type { ExporterServerOptions } from '../../src/server/exporter-server.js';
import type { ErrorSummaryRow, MetricsSource } from '../../src/server/sources.js';
import { silentLogger } from '../../src/logger.js';

/** Prometheus text and OpenMetrics from two real prom-client registries (one per format, as prom-client wants). */
export function promClientMetrics(): MetricsSource & { inc(): void } {
  const text = new Registry();
  const open = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
  open.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const counters = [text, open].map(
    (registry) => new Counter({ name: 'demo_scrapes_total', help: 'Demo counter.', registers: [registry] }),
  );
  return {
    inc: () => counters.forEach((counter) => counter.inc()),
    async metricsResponse(accept) {
      const registry = accept?.includes('application/openmetrics-text') ? open : text;
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export const BUILD = { version: '9.8.7', nodeVersion: 'v20.0.0' };

export const ROWS: ErrorSummaryRow[] = [
  {
    code: 3,
    name: 'UNKNOWN_TOPIC_OR_PARTITION',
    category: 'retriable',
    recovery: 'Refresh metadata and retry.',
    responseErrors: 7,
    operationErrors: 1,
    count: 8,
  },
];

/** Server options on a free loopback port with the simple sources; override what a test needs. */
export function serverOptions(overrides: Partial<ExporterServerOptions> = {}): ExporterServerOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    tls: null,
    basicAuthUsers: null,
    logger: silentLogger,
    metrics: promClientMetrics(),
    errors: { errorSummary: () => ROWS },
    codes: { codes: () => [{ code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION' }] },
    build: BUILD,
    ...overrides,
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly raw: Buffer;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** For https: the CA to trust (the test's self-signed certificate). */
  readonly ca?: string;
  /** For https: the highest TLS version the client offers. */
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/** One request with node:http(s), so that methods, raw paths and headers are exactly what the test says. */
export function request(url: string, options: RequestOptions = {}): Promise<Answer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: target.hostname,
        port: target.port,
        path: url.slice(url.indexOf('/', url.indexOf('//') + 2)),
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.ca,
        maxVersion: options.maxVersion,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `Authorization: Basic …` for a user and password. */
export function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
