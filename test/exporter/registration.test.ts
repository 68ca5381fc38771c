// The zero-code registration as a function: the web config (TLS, basic auth) secures its /metrics as it does
// `serve`'s, a bad one leaves kafkajs untouched, stop() puts kafkajs's `Kafka` back, the OTLP push works as
// `serve`'s, and an option only `serve` uses is refused (a file key) or warned about (a variable).
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExitEvents } from '../../src/exporter/exit-flush.js';
import { startRegistration } from '../../src/exporter/registration.js';
import { silentLogger } from '../../src/logger.js';
import type { Logger } from '../../src/logger.js';
import { writeSelfSignedCertificate } from '../support/certificate.js';
import { startOtlpReceiver, sumPoints } from '../support/otlp-receiver.js';
import { basic, request } from '../server/support.js';

const requireFromApp = createRequire(import.meta.url);
const kafkajs = requireFromApp('kafkajs') as { Kafka: unknown };

let dir: string;
let cert: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'registration-'));
  const { certFile } = writeSelfSignedCertificate(dir, 'server');
  cert = readFileSync(certFile, 'utf8');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function register(env: Record<string, string>, more: { logger?: Logger; exitEvents?: ExitEvents } = {}) {
  return startRegistration({
    env: {
      KAFKA_ERROR_EXPORTER_HOST: '127.0.0.1',
      KAFKA_ERROR_EXPORTER_PORT: '0',
      // `warn` logs through the logger given here (silent by default) rather than to stderr.
      KAFKA_ERROR_EXPORTER_LOG_LEVEL: 'warn',
      ...env,
    },
    readFile: (file) => readFileSync(file, 'utf8'),
    requireFromApp,
    logger: more.logger ?? silentLogger,
    ...(more.exitEvents === undefined ? {} : { exitEvents: more.exitEvents }),
  });
}

function warnings(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, error() {}, info() {}, debug() {}, warn: (_fields, message) => lines.push(message) };
}

const ENDPOINT = { clientId: 'orders', host: 'broker-1', port: 9092 };

describe('startRegistration', () => {
  it('serves /metrics over HTTPS behind basic auth when given a web config, and restores kafkajs on stop', async () => {
    const web = join(dir, 'web.yml');
    writeFileSync(
      web,
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${bcrypt.hashSync('s3cret', 4)}\n`,
    );
    const original = kafkajs.Kafka;
    const registration = await register({ KAFKA_ERROR_EXPORTER_WEB_CONFIG_FILE: web });
    try {
      expect(kafkajs.Kafka).not.toBe(original);
      const address = await registration.listening;
      expect(address).not.toBeNull();
      const url = `https://127.0.0.1:${address!.port}`;
      const right = await request(`${url}/metrics`, { ca: cert, headers: basic('prometheus', 's3cret') });
      expect(right.status).toBe(200);
      expect(right.body).toContain('kafka_error_exporter_build_info');
      expect((await request(`${url}/metrics`, { ca: cert })).status).toBe(401);
      expect(
        (await request(`${url}/metrics`, { ca: cert, headers: basic('prometheus', 'guess') })).status,
      ).toBe(401);
      await expect(request(`http://127.0.0.1:${address!.port}/metrics`)).rejects.toThrow();
    } finally {
      await registration.stop();
    }
    expect(kafkajs.Kafka).toBe(original);
  });

  it('serves plain HTTP without a web config', async () => {
    const registration = await register({});
    try {
      const address = await registration.listening;
      expect((await request(`http://127.0.0.1:${address!.port}/metrics`)).status).toBe(200);
    } finally {
      await registration.stop();
    }
  });

  it('refuses a bad web config before patching kafkajs, without echoing its secrets', async () => {
    const web = join(dir, 'web-bad.yml');
    writeFileSync(web, 'basic_auth_users:\n  prometheus: hunter2\n');
    const original = kafkajs.Kafka;
    let refusal: unknown;
    try {
      await register({ KAFKA_ERROR_EXPORTER_WEB_CONFIG_FILE: web });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toMatch(
      /basic_auth_users.prometheus in .*web-bad.yml is not a bcrypt hash/,
    );
    expect((refusal as Error).message).not.toContain('hunter2');
    expect(kafkajs.Kafka).toBe(original);
  });

  it('refuses an invalid frame limit by its variable', async () => {
    await expect(register({ KAFKA_ERROR_EXPORTER_MAX_FRAME_BYTES: '12' })).rejects.toThrow(
      /invalid value "12" for maxFrameBytes/,
    );
  });
});

describe('startRegistration and the options only serve uses', () => {
  it('ignores the keys only serve uses of a file its variable names, with the warning, and instruments', async () => {
    // A pod's sidecar and application may share the environment, and so the file it names.
    const file = join(dir, 'shared.yaml');
    writeFileSync(file, 'port: 0\nproxyUpstream: kafka:9092\n');
    const original = kafkajs.Kafka;
    const logger = warnings();
    const registration = await register({ KAFKA_ERROR_EXPORTER_CONFIG: file }, { logger });
    try {
      expect(logger.lines).toEqual([
        `kafka-error-exporter/register: zero-code mode (kafka-error-exporter/register) ignores key "proxyUpstream" in ${file}: used only by serve`,
      ]);
      expect(registration.options.proxyUpstream).toBeNull();
      expect(kafkajs.Kafka).not.toBe(original);
    } finally {
      await registration.stop();
    }
  });

  it('ignores variables only serve uses, unvalidated, with one warning naming them all', async () => {
    const logger = warnings();
    const registration = await register(
      {
        KAFKA_ERROR_EXPORTER_PROXY_UPSTREAM: 'kafka:9092',
        // A shared environment's value for the sidecar is the sidecar's to check.
        KAFKA_ERROR_EXPORTER_PROXY_LISTEN: 'not an address',
      },
      { logger },
    );
    try {
      expect(logger.lines).toEqual([
        'kafka-error-exporter/register: zero-code mode (kafka-error-exporter/register) ignores KAFKA_ERROR_EXPORTER_PROXY_UPSTREAM, KAFKA_ERROR_EXPORTER_PROXY_LISTEN: used only by serve',
      ]);
      expect(registration.options.proxyUpstream).toBeNull();
    } finally {
      await registration.stop();
    }
  });
});

describe('startRegistration with an OTLP endpoint', () => {
  it('pushes the recorded errors to a local OTLP/HTTP receiver, flushing on stop', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const registration = await register({
        KAFKA_ERROR_EXPORTER_OTLP_ENDPOINT: receiver.url,
        KAFKA_ERROR_EXPORTER_OTLP_INTERVAL: '1h',
      });
      registration.recorder.response(ENDPOINT, 0);
      registration.recorder.responseError(ENDPOINT, 0, 3);
      expect(receiver.requests).toEqual([]);
      await expect(registration.stop()).resolves.toEqual({ graceful: true, otlpFlushed: true });
      await registration.stop();

      expect(receiver.requests).toHaveLength(1);
      const [request] = receiver.requests;
      expect(request).toMatchObject({ method: 'POST', url: '/v1/metrics', contentType: 'application/json' });
      expect(sumPoints(request!.body, 'kafka.client.response.errors')).toEqual([
        {
          attributes: expect.objectContaining({
            'messaging.client.id': 'orders',
            'kafka.error.code': '3',
            'kafka.api.name': 'Produce',
          }) as Record<string, string>,
          value: 1,
        },
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('flushes when the application ends by itself, and leaves the process to end', async () => {
    const receiver = await startOtlpReceiver();
    const exits = Object.assign(new EventEmitter(), { pid: 1, kill() {}, exit() {} });
    try {
      const registration = await register(
        { KAFKA_ERROR_EXPORTER_OTLP_ENDPOINT: receiver.url, KAFKA_ERROR_EXPORTER_OTLP_INTERVAL: '1h' },
        { exitEvents: exits },
      );
      expect(exits.listenerCount('beforeExit')).toBe(1);
      registration.recorder.responseError(ENDPOINT, 0, 3);
      exits.emit('beforeExit');
      await registration.stop();
      expect(receiver.requests).toHaveLength(1);
      expect(sumPoints(receiver.requests[0]!.body, 'kafka.client.response.errors')).toHaveLength(1);
      expect(exits.listenerCount('beforeExit') + exits.listenerCount('SIGTERM')).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('gives up on a hung receiver within shutdownTimeout', async () => {
    const receiver = await startOtlpReceiver({ hang: true });
    try {
      const registration = await register({
        KAFKA_ERROR_EXPORTER_OTLP_ENDPOINT: receiver.url,
        KAFKA_ERROR_EXPORTER_SHUTDOWN_TIMEOUT: '200ms',
      });
      const started = Date.now();
      await expect(registration.stop()).resolves.toEqual({ graceful: true, otlpFlushed: false });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await receiver.close();
    }
  });

  it('installs no exit hooks without an endpoint', async () => {
    const exits = Object.assign(new EventEmitter(), { pid: 1, kill() {}, exit() {} });
    const registration = await register({}, { exitEvents: exits });
    await registration.stop();
    expect(exits.eventNames()).toEqual([]);
  });
});
