// The zero-code registration as a function: the web config (TLS, basic auth) secures its /metrics as it does
// `serve`'s, a bad one leaves kafkajs untouched, and stop() puts kafkajs's `Kafka` back.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistration } from '../../src/exporter/registration.js';
import { silentLogger } from '../../src/logger.js';
import { writeSelfSignedCertificate } from '../support/certificate.js';
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

function register(env: Record<string, string>) {
  return startRegistration({
    env: { KAFKA_ERROR_EXPORTER_HOST: '127.0.0.1', KAFKA_ERROR_EXPORTER_PORT: '0', ...env },
    readFile: (file) => readFileSync(file, 'utf8'),
    requireFromApp,
    logger: silentLogger,
  });
}

describe('startRegistration', () => {
  it('serves /metrics over HTTPS behind basic auth when given a web config, and restores kafkajs on stop', async () => {
    const web = join(dir, 'web.yml');
    writeFileSync(
      web,
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${bcrypt.hashSync('s3cret', 4)}\n`,
    );
    const original = kafkajs.Kafka;
    const registration = register({ KAFKA_ERROR_EXPORTER_WEB_CONFIG_FILE: web });
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
    const registration = register({});
    try {
      const address = await registration.listening;
      expect((await request(`http://127.0.0.1:${address!.port}/metrics`)).status).toBe(200);
    } finally {
      await registration.stop();
    }
  });

  it('refuses a bad web config before patching kafkajs, without echoing its secrets', () => {
    const web = join(dir, 'web-bad.yml');
    writeFileSync(web, 'basic_auth_users:\n  prometheus: hunter2\n');
    const original = kafkajs.Kafka;
    let refusal: unknown;
    try {
      register({ KAFKA_ERROR_EXPORTER_WEB_CONFIG_FILE: web });
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

  it('refuses an invalid frame limit by its variable', () => {
    expect(() => register({ KAFKA_ERROR_EXPORTER_MAX_FRAME_BYTES: '12' })).toThrow(
      /invalid value "12" for maxFrameBytes/,
    );
  });
});
