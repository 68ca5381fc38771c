import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basic, request } from './support.js';
import { killAll, spawnServe, startServe } from './serve-process.js';
import { writeSelfSignedCertificate } from '../support/certificate.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kee-serve-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => killAll());

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const OPENMETRICS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

// Child processes on a shared 2-core machine: generous per-test bounds (a bound, not a timing assertion).
describe('serve as a process', { timeout: 30_000 }, () => {
  it('answers every endpoint, negotiates the format, and applies category overrides everywhere', async () => {
    const serve = await startServe(['--category-override', 'REBALANCE_IN_PROGRESS=fatal']);

    const text = await request(`${serve.url}/metrics`);
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.body).toMatch(
      /^kafka_error_exporter_build_info\{version="\d+\.\d+\.\d+",nodejs_version="v\d+/m,
    );
    expect(text.body).toMatch(
      /^kafka_error_code_info\{kafka_error_code="27",error_type="REBALANCE_IN_PROGRESS",kafka_error_category="fatal",kafka_error_retriable="false"/m,
    );

    const open = await request(`${serve.url}/metrics`, { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(open.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(open.body).toMatch(/# EOF\n$/);

    const codes = await request(`${serve.url}/codes`);
    const entries = JSON.parse(codes.body) as { code: number; name: string; category: string }[];
    expect(entries).toHaveLength(135);
    expect(entries.find((entry) => entry.code === 27)).toMatchObject({
      name: 'REBALANCE_IN_PROGRESS',
      category: 'fatal',
    });
    expect(entries.find((entry) => entry.code === 3)).toMatchObject({ category: 'retriable' });

    expect(await request(`${serve.url}/healthz`)).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await request(`${serve.url}/readyz`)).toMatchObject({ status: 200, body: 'ready\n' });
    const landing = await request(`${serve.url}/`);
    expect(landing.status).toBe(200);
    expect(landing.body).toContain('No Kafka errors recorded since the exporter started.');
    expect((await request(`${serve.url}/metrics`, { method: 'HEAD' })).body).toBe('');
    expect(await request(`${serve.url}/nope`)).toMatchObject({ status: 404 });
    const post = await request(`${serve.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('exits 0 on %s and logs the shutdown as JSON', async (signal) => {
    const serve = await startServe([]);
    serve.child.kill(signal);
    expect(await serve.exited).toBe(0);
    const lines = serve
      .stderr()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.msg)).toEqual(['listening', 'shutting down', 'stopped']);
    expect(lines[1]).toMatchObject({ signal });
    expect(lines[2]).toMatchObject({ graceful: true });
  });

  it('finishes a scrape in flight at SIGTERM, refuses new connections meanwhile, and exits 0', async () => {
    const preload = fileURLToPath(new URL('./fixtures/slow-scrape.mjs', import.meta.url));
    // The scrape lasts 3 s: long enough to still be in flight when the signal lands on a loaded machine, well
    // inside the default 10 s shutdown timeout.
    const serve = await startServe([], { preload, env: { SLOW_SCRAPE_MS: '3000' } });
    const scrape = request(`${serve.url}/metrics`);
    await serve.waitFor('SLOW_SCRAPE_IN_FLIGHT');
    serve.child.kill('SIGTERM');
    await serve.waitFor('"msg":"shutting down"');
    await expect(request(`${serve.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    const answer = await scrape;
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('kafka_error_exporter_build_info');
    expect(await serve.exited).toBe(0);
    expect(serve.stderr()).toMatch(/"inFlight":1,"msg":"shutting down"/);
    expect(serve.stderr()).toMatch(/"graceful":true/);
  });

  it('closes a scrape that outlives the shutdown timeout, and still exits 0', async () => {
    const preload = fileURLToPath(new URL('./fixtures/slow-scrape.mjs', import.meta.url));
    const serve = await startServe(['--shutdown-timeout', '200ms'], {
      preload,
      env: { SLOW_SCRAPE_MS: '600000' },
    });
    const scrape = request(`${serve.url}/metrics`).catch((error: Error) => error);
    await serve.waitFor('SLOW_SCRAPE_IN_FLIGHT');
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(await scrape).toBeInstanceOf(Error);
    expect(serve.stderr()).toMatch(/"graceful":false/);
  });

  it('exits at once on SIGTERM although a connection stays silent: only in-flight requests get the grace', async () => {
    const serve = await startServe([]);
    const silent = connect(Number(new URL(serve.url).port), '127.0.0.1');
    silent.on('error', () => {});
    await new Promise((resolve) => silent.once('connect', resolve));
    const at = Date.now();
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    // The default shutdown timeout is 10 s and the header timeout 5 s: neither was waited for.
    expect(Date.now() - at).toBeLessThan(4500);
    expect(serve.stderr()).toMatch(/"graceful":true/);
    silent.destroy();
  });

  it('exits 1 at once on a second signal during shutdown', async () => {
    const preload = fileURLToPath(new URL('./fixtures/slow-scrape.mjs', import.meta.url));
    const serve = await startServe([], { preload, env: { SLOW_SCRAPE_MS: '600000' } });
    const scrape = request(`${serve.url}/metrics`).catch((error: Error) => error);
    await serve.waitFor('SLOW_SCRAPE_IN_FLIGHT');
    serve.child.kill('SIGTERM');
    await serve.waitFor('"msg":"shutting down"');
    serve.child.kill('SIGINT');
    expect(await serve.exited).toBe(1);
    expect(await scrape).toBeInstanceOf(Error);
    expect(serve.stderr()).toMatch(/"signal":"SIGINT","msg":"second signal: exiting without waiting"/);
  });

  it('pushes the metrics over OTLP and flushes them at shutdown', async () => {
    const bodies: string[] = [];
    const collector: Server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = collector.address() as AddressInfo;
      const serve = await startServe([], {
        env: {
          KAFKA_ERROR_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/v1/metrics`,
          KAFKA_ERROR_EXPORTER_OTLP_INTERVAL: '1h',
        },
      });
      expect(serve.stderr()).toMatch(/"otlp":true/);
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      expect(serve.stderr()).toMatch(/"otlpFlushed":true/);
      expect(bodies.length).toBeGreaterThan(0);
      expect(bodies[0]).toMatch(/^POST \/v1\/metrics /);
      expect(bodies.join('\n')).toContain('kafka.error.code.info');
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });

  it('exits 0 within the shutdown bound when the OTLP collector hangs', async () => {
    const hung: Server = createServer(() => {});
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = hung.address() as AddressInfo;
      const serve = await startServe([
        '--otlp-endpoint',
        `http://127.0.0.1:${port}/v1/metrics`,
        '--shutdown-timeout',
        '300ms',
      ]);
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      expect(serve.stderr()).toMatch(/"otlpFlushed":false/);
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  describe('TLS and basic auth from an exporter-toolkit web config', () => {
    let cert: string;
    let web: string;

    beforeAll(() => {
      const { certFile } = writeSelfSignedCertificate(dir, 'server');
      cert = execFileSync('cat', [certFile], { encoding: 'utf8' });
      web = file(
        'web.yml',
        `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS12\nbasic_auth_users:\n  prometheus: ${bcrypt.hashSync('s3cret', 4)}\n`,
      );
    });

    it('serves HTTPS only, asks for credentials, and never logs the secrets', async () => {
      const serve = await startServe(['--web-config-file', web, '--log-level', 'debug']);
      expect(serve.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(serve.stderr()).toMatch(/"tls":true,"basicAuth":true/);

      const right = await request(`${serve.url}/metrics`, {
        ca: cert,
        headers: basic('prometheus', 's3cret'),
      });
      expect(right.status).toBe(200);
      expect(right.body).toContain('kafka_error_exporter_build_info');
      const wrong = await request(`${serve.url}/metrics`, {
        ca: cert,
        headers: basic('prometheus', 'guess'),
      });
      expect(wrong.status).toBe(401);
      const missing = await request(`${serve.url}/metrics`, { ca: cert });
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toMatch(/^Basic realm=/);
      expect(await request(`${serve.url}/healthz`, { ca: cert })).toMatchObject({ status: 200 });

      await expect(request(serve.url.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
      await expect(request(`${serve.url}/healthz`)).rejects.toThrow(/self-signed|certificate/);

      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      // Debug logs every request, yet no password, hash, header or key appears.
      expect(serve.stderr()).toMatch(/"path":"\/metrics","status":401/);
      expect(serve.stderr()).not.toMatch(/s3cret|\$2[aby]\$|PRIVATE KEY|authorization|Basic /i);
    });
  });

  describe('a configuration error exits 2 with a message naming the key and value', () => {
    it.each<[string, string[], Record<string, string>, RegExp]>([
      ['an unknown flag', ['--prot', '9464'], {}, /unknown option "--prot" \(did you mean --port\?\)/],
      [
        'a bad port in the environment',
        [],
        { KAFKA_ERROR_EXPORTER_PORT: 'ninety' },
        /invalid value "ninety" for port \(KAFKA_ERROR_EXPORTER_PORT\)/,
      ],
      [
        'an unknown environment variable',
        [],
        { KAFKA_ERROR_EXPORTER_LOGLEVEL: 'debug' },
        /unknown environment variable KAFKA_ERROR_EXPORTER_LOGLEVEL \(did you mean KAFKA_ERROR_EXPORTER_LOG_LEVEL\?\)/,
      ],
      [
        'a bad override',
        ['--category-override', 'REBALANCE=fatal'],
        {},
        /invalid value "REBALANCE" for categoryOverrides.REBALANCE/,
      ],
      [
        'a missing config file',
        ['--config', '/nonexistent/kee.yaml'],
        {},
        /cannot read config file "\/nonexistent\/kee.yaml": ENOENT/,
      ],
      [
        'a missing web config file',
        ['--web-config-file', '/nonexistent/web.yml'],
        {},
        /cannot read webConfigFile file "\/nonexistent\/web.yml": ENOENT/,
      ],
    ])('%s', async (_name, args, env, message) => {
      const serve = spawnServe(args, { env });
      expect(await serve.exited).toBe(2);
      expect(serve.stderr()).toMatch(message);
      expect(serve.stderr().trim().split('\n')).toHaveLength(1);
    });

    it('an unknown key in the configuration file', async () => {
      const config = file('bad.yaml', 'port: 9464\nlistenAddress: 0.0.0.0\n');
      const serve = spawnServe(['--config', config]);
      expect(await serve.exited).toBe(2);
      expect(serve.stderr()).toMatch(new RegExp(`unknown key "listenAddress" in ${config}`));
    });

    it('a bad hash in the web config, without echoing it', async () => {
      const webBad = file('web-bad.yml', 'basic_auth_users:\n  prometheus: hunter2\n');
      const serve = spawnServe(['--web-config-file', webBad]);
      expect(await serve.exited).toBe(2);
      expect(serve.stderr()).toMatch(/basic_auth_users.prometheus in .*web-bad.yml is not a bcrypt hash/);
      expect(serve.stderr()).not.toContain('hunter2');
    });

    it('web config users whose bcrypt hashes mix costs', async () => {
      const users = `  a: ${bcrypt.hashSync('x', 4)}\n  b: ${bcrypt.hashSync('y', 5)}\n`;
      const serve = spawnServe(['--web-config-file', file('web-mixed.yml', `basic_auth_users:\n${users}`)]);
      expect(await serve.exited).toBe(2);
      expect(serve.stderr()).toMatch(/basic_auth_users mix bcrypt costs \(cost 4: a; cost 5: b\)/);
    });

    it('a port in use', async () => {
      const first = await startServe([]);
      const port = new URL(first.url).port;
      const second = spawnServe(['--host', '127.0.0.1', '--port', port]);
      expect(await second.exited).toBe(2);
      expect(second.stderr()).toContain(
        `cannot listen on 127.0.0.1:${port} (host="127.0.0.1", port=${port}): the address is already in use (EADDRINUSE)`,
      );
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    });
  });

  it('prints help listing every option and exits 0', async () => {
    const serve = spawnServe(['--help']);
    expect(await serve.exited).toBe(0);
    expect(serve.stdout()).toMatch(/^Usage: kafka-error-exporter serve \[options\]/);
    expect(serve.stdout()).toContain('--web-config-file <path>');
  });
});
