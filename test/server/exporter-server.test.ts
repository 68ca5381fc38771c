import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isConfigError } from '../../src/config/config-error.js';
import type { TlsSettings } from '../../src/config/web-config.js';
import { createExporterServer } from '../../src/server/exporter-server.js';
import type { ExporterServer, ExporterServerOptions } from '../../src/server/exporter-server.js';
import type { MetricsSource } from '../../src/server/sources.js';
import { basic, request, serverOptions } from './support.js';
import { writeSelfSignedCertificate } from '../support/certificate.js';

const started: ExporterServer[] = [];

async function start(
  overrides: Partial<ExporterServerOptions> = {},
): Promise<{ server: ExporterServer; url: string }> {
  const server = createExporterServer(serverOptions(overrides));
  started.push(server);
  const { url } = await server.listen();
  return { server, url };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close(1000)));
});

describe('the exporter server', () => {
  describe('answers every endpoint', () => {
    it.each([
      ['/metrics', 200, /^text\/plain; version=0.0.4/, /# TYPE demo_scrapes_total counter/],
      ['/healthz', 200, /^text\/plain/, /^ok\n$/],
      ['/readyz', 200, /^text\/plain/, /^ready\n$/],
      ['/codes', 200, /^application\/json/, /"UNKNOWN_TOPIC_OR_PARTITION"/],
      ['/', 200, /^text\/html; charset=utf-8$/, /<title>kafka-error-exporter<\/title>/],
      ['/metrics?debug=1', 200, /^text\/plain; version=0.0.4/, /demo_scrapes_total/],
    ])('GET %s → %i', async (path, status, contentType, body) => {
      const { url } = await start();
      const answer = await request(`${url}${path}`);
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toMatch(contentType);
      expect(answer.body).toMatch(body);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(Number(answer.headers['content-length'])).toBe(answer.raw.length);
    });
  });

  it('serves OpenMetrics when the Accept header prefers it, as Prometheus sends it', async () => {
    const { url } = await start();
    const accept =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    const answer = await request(`${url}/metrics`, { headers: { accept } });
    expect(answer.headers['content-type']).toMatch(/^application\/openmetrics-text; version=1.0.0/);
    expect(answer.body).toMatch(/# EOF\n$/);
    expect(answer.headers.vary).toBe('Accept, Accept-Encoding');
  });

  it('gzips a large scrape when the scraper accepts gzip', async () => {
    const big = 'x'.repeat(5000);
    const metrics: MetricsSource = {
      metricsResponse: async () => ({ contentType: 'text/plain', body: big }),
    };
    const { url } = await start({ metrics });
    const answer = await request(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(answer.raw).toString()).toBe(big);
    const plain = await request(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(big);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const { url } = await start();
    const get = await request(`${url}/healthz`);
    const head = await request(`${url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('answers %s with 405 and Allow', async (method) => {
    const { url } = await start();
    const answer = await request(`${url}/metrics`, { method });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
  });

  it('answers CONNECT with 405 and Allow instead of dropping the connection', async () => {
    const { url } = await start();
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve, reject) => socket.on('close', resolve).on('error', reject));
    const answer = Buffer.concat(chunks).toString();
    expect(answer).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(answer).toMatch(/\r\nallow: GET, HEAD\r\n/);
    expect(answer).toMatch(/\r\n\r\nmethod not allowed\n$/);
  });

  it.each(['/nope', '/metrics/', '/Metrics', '/%6Detrics', '//metrics'])(
    'answers %s with 404',
    async (path) => {
      const { url } = await start();
      expect((await request(`${url}${path}`)).status).toBe(404);
      expect((await request(`${url}${path}`, { method: 'POST' })).status).toBe(404);
    },
  );

  it('answers an over-long URL with 414 and over-large headers with 431', async () => {
    const { url } = await start();
    expect((await request(`${url}/metrics?${'a'.repeat(3000)}`)).status).toBe(414);
    expect((await request(`${url}/metrics`, { headers: { 'x-big': 'a'.repeat(10_000) } })).status).toBe(431);
  });

  it('answers 500 without detail when the metrics source fails, and keeps serving', async () => {
    const metrics: MetricsSource = {
      metricsResponse: async () => {
        throw new Error('secret detail');
      },
    };
    const { url } = await start({ metrics });
    const answer = await request(`${url}/metrics`);
    expect(answer.status).toBe(500);
    expect(answer.body).not.toContain('secret');
    expect((await request(`${url}/healthz`)).status).toBe(200);
  });

  it('drops the connection, and keeps serving, when a response cannot be written', async () => {
    const metrics: MetricsSource = {
      metricsResponse: async () => ({ contentType: 'text/plain\nx-injected: 1', body: 'x 1\n' }),
    };
    const { url } = await start({ metrics });
    await expect(request(`${url}/metrics`)).rejects.toThrow();
    expect((await request(`${url}/healthz`)).status).toBe(200);
  });

  describe('basic auth', () => {
    const users = new Map([['prometheus', bcrypt.hashSync('s3cret', 4)]]);
    it.each<[string, Record<string, string>, number]>([
      ['the right password → 200', basic('prometheus', 's3cret'), 200],
      ['a wrong password → 401', basic('prometheus', 'guess'), 401],
      ['an unknown user → 401', basic('root', 's3cret'), 401],
      ['no credentials → 401', {}, 401],
      ['another scheme → 401', { authorization: 'Bearer s3cret' }, 401],
      ['no colon in the credentials → 401', { authorization: 'Basic bm9jb2xvbg==' }, 401],
    ])('with %s', async (_name, headers, status) => {
      const { url } = await start({ basicAuthUsers: users });
      for (const path of ['/metrics', '/codes', '/']) {
        const answer = await request(`${url}${path}`, { headers });
        expect(answer.status).toBe(status);
        if (status === 401) {
          expect(answer.headers['www-authenticate']).toBe(
            'Basic realm="kafka-error-exporter", charset="UTF-8"',
          );
        }
      }
    });

    it('leaves the probes open, and asks for credentials before revealing a 404', async () => {
      const { url } = await start({ basicAuthUsers: users });
      expect((await request(`${url}/healthz`)).status).toBe(200);
      expect((await request(`${url}/readyz`)).status).toBe(200);
      expect((await request(`${url}/nope`)).status).toBe(401);
      expect((await request(`${url}/nope`, { headers: basic('prometheus', 's3cret') })).status).toBe(404);
    });
  });

  describe('close', () => {
    it('lets an in-flight scrape finish, refuses new connections, and reports not ready meanwhile', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const metrics: MetricsSource = {
        async metricsResponse() {
          entered();
          await gate;
          return { contentType: 'text/plain', body: 'slow_scrape 1\n' };
        },
      };
      const { server, url } = await start({ metrics });
      const scrape = request(`${url}/metrics`);
      await inside;
      expect(server.inFlight).toBe(1);
      const closing = server.close(10_000);
      await expect(request(`${url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
      release();
      const answer = await scrape;
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('slow_scrape 1\n');
      expect(answer.headers.connection).toBe('close');
      expect(await closing).toEqual({ graceful: true });
    });

    it('closes what is left at the deadline and says so', async () => {
      const metrics: MetricsSource = { metricsResponse: () => new Promise(() => {}) };
      const { server, url } = await start({ metrics });
      const scrape = request(`${url}/metrics`).catch((error: Error) => error);
      while (server.inFlight === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(await server.close(50)).toEqual({ graceful: false });
      expect(await scrape).toBeInstanceOf(Error);
    });

    it('is safe twice and before listen', async () => {
      const never = createExporterServer(serverOptions());
      expect(await never.close(10)).toEqual({ graceful: true });
      const { server } = await start();
      const [first, second] = await Promise.all([server.close(1000), server.close(1000)]);
      expect(first).toEqual({ graceful: true });
      expect(second).toBe(first);
    });

    it('rejects listen on a port in use with EADDRINUSE', async () => {
      const { url } = await start();
      const port = Number(new URL(url).port);
      const second = createExporterServer(serverOptions({ port }));
      await expect(second.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await second.close(10);
    });
  });

  describe('TLS', () => {
    let dir: string;
    let tls: TlsSettings;

    /** A self-signed certificate for 127.0.0.1 (a fixture of test/support/certificate.ts). */
    function certificate(name: string): { cert: string; key: string } {
      writeSelfSignedCertificate(dir, name);
      return {
        cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
        key: readFileSync(join(dir, `${name}.key`), 'utf8'),
      };
    }

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'kee-tls-'));
      tls = {
        ...certificate('a'),
        certFile: join(dir, 'a.crt'),
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.3',
      };
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('serves HTTPS with the certificate', async () => {
      const { url } = await start({ tls });
      expect(url).toMatch(/^https:/);
      expect(await request(`${url}/healthz`, { ca: tls.cert })).toMatchObject({ status: 200, body: 'ok\n' });
    });

    it('refuses a client below min_version', async () => {
      const { url } = await start({ tls: { ...tls, minVersion: 'TLSv1.3' } });
      await expect(request(`${url}/healthz`, { ca: tls.cert, maxVersion: 'TLSv1.2' })).rejects.toThrow(
        /version|protocol|alert/i,
      );
      expect(await request(`${url}/healthz`, { ca: tls.cert })).toMatchObject({ status: 200 });
    });

    it('rejects a key that does not belong to the certificate, naming tls_server_config and not the key', () => {
      const other = certificate('b');
      try {
        createExporterServer(serverOptions({ tls: { ...tls, key: other.key } }));
        expect.unreachable('a mismatched key must not start');
      } catch (error) {
        expect(isConfigError(error) && error.key).toBe('tls_server_config');
        expect((error as Error).message).toMatch(/cannot use the TLS certificate .*a\.crt with its key/);
        expect((error as Error).message).not.toContain('PRIVATE KEY');
      }
    });
  });
});
