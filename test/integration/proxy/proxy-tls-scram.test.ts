// The proxy in front of a real broker's SASL_SSL/SCRAM-SHA-512 listener, with TLS originated by the proxy: the
// applications (kcat, kafkajs) speak SASL_PLAINTEXT to the proxy and keep their credentials; a wrong password
// is counted as 58; the password shows up in no log line, label, page or metric; a wrong CA is a clear error.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runJavaClient } from '../../support/kafka/java-client.js';
import { freePortRange, startBroker } from '../../support/kafka/kafka-broker.js';
import type { KafkaBroker } from '../../support/kafka/kafka-broker.js';
import { startServe } from '../../server/serve-process.js';
import type { ServeProcess } from '../../server/serve-process.js';
import { describeWithKafka, uniqueName } from '../support/kafka-env.js';
import { runKcat } from '../support/kcat.js';

let dir: string;
let broker: KafkaBroker;
const serves: (ServeProcess & { url: string })[] = [];
const USER = 'app';
const PASSWORD = `scram-${randomBytes(12).toString('hex')}`;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA (ca.crt), a broker certificate it signs for 127.0.0.1 (broker.pem: key then chain), another CA. */
function makeCertificates(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=test-ca',
  );
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-keyout',
    'other.key',
    '-out',
    'other.crt',
    '-subj',
    '/CN=other-ca',
  );
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'broker.key');
  openssl('req', '-new', '-key', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'broker.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'broker.crt',
  );
  const pem = ['broker.key', 'broker.crt', 'ca.crt'].map((f) => readFileSync(join(dir, f), 'utf8')).join('');
  writeFileSync(join(dir, 'broker.pem'), pem);
}

/** `serve` with the proxy in front of the broker's SASL_SSL listener, TLS with `caFile`; its /metrics URL. */
async function startProxy(
  caFile: string,
): Promise<{ bootstrap: string; serve: ServeProcess & { url: string } }> {
  const listen = await freePortRange(11);
  const serve = await startServe([
    '--proxy-upstream',
    broker.saslSslBootstrap!,
    '--proxy-tls',
    '--proxy-tls-ca-file',
    join(dir, caFile),
    '--proxy-listen',
    `127.0.0.1:${listen}`,
    '--proxy-broker-ports',
    `${listen + 1}-${listen + 10}`,
    '--log-level',
    'debug',
  ]);
  serves.push(serve);
  return { bootstrap: `127.0.0.1:${listen}`, serve };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kee-tls-'));
  makeCertificates();
  broker = await startBroker({ profile: 'plaintext', saslSslKeystoreFile: join(dir, 'broker.pem') });
  expect(
    await runJavaClient('set-scram', { bootstrap: broker.bootstrap, user: USER, password: PASSWORD }),
  ).toMatchObject({ visible: true });
}, 180_000);

afterAll(async () => {
  for (const serve of serves) serve.child.kill('SIGTERM');
  await Promise.all(serves.map((serve) => serve.exited));
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function responseErrors(metricsUrl: string, clientId: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (
      !line.startsWith('kafka_client_response_errors_total{') ||
      !line.includes(`messaging_client_id="${clientId}"`)
    )
      continue;
    const code = /kafka_error_code="(-?\d+)"/.exec(line)![1]!;
    out[code] = (out[code] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

describeWithKafka('the proxy with TLS to a SASL_SSL/SCRAM-SHA-512 broker', () => {
  it('carries kcat and kafkajs with their own SCRAM credentials, TLS originated by the proxy', async () => {
    const { bootstrap } = await startProxy('ca.crt');
    const topic = uniqueName('px-tls');
    const sasl = { mechanism: 'scram-sha-512' as const, username: USER, password: PASSWORD };
    const kafka = new Kafka({
      clientId: uniqueName('kjs-tls'),
      brokers: [bootstrap],
      sasl,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'from-kafkajs' }] });
    await producer.disconnect();
    const kcat = {
      brokers: [bootstrap],
      properties: {
        'client.id': 'kcat-tls',
        'security.protocol': 'SASL_PLAINTEXT',
        'sasl.mechanisms': 'SCRAM-SHA-512',
        'sasl.username': USER,
        'sasl.password': PASSWORD,
      },
    };
    await runKcat(kcat, ['-P', '-t', topic], 'from-kcat\n');
    const out = await runKcat(kcat, ['-C', '-t', topic, '-o', 'beginning', '-c', '2', '-e', '-q']);
    expect(out.split('\n').filter(Boolean).sort()).toEqual(['from-kafkajs', 'from-kcat']);
  });

  it('counts a wrong password as 58 SASL_AUTHENTICATION_FAILED, and the password shows nowhere', async () => {
    const { bootstrap, serve } = await startProxy('ca.crt');
    const clientId = uniqueName('wrong-password');
    const wrong = `${PASSWORD}-wrong`;
    const kafka = new Kafka({
      clientId,
      brokers: [bootstrap],
      sasl: { mechanism: 'scram-sha-512', username: USER, password: wrong },
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await expect(producer.connect()).rejects.toThrow();
    expect(await responseErrors(serve.url, clientId)).toEqual({ '58': 1 });
    const pages = await Promise.all(
      ['/metrics', '/', '/codes'].map(async (p) => (await fetch(`${serve.url}${p}`)).text()),
    );
    // serve logs at debug level here: nothing it writes carries either password.
    for (const text of [...pages, serve.stderr(), serve.stdout()]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(wrong);
    }
  });

  it('refuses to forward to a broker whose certificate the configured CA did not sign, and says so', async () => {
    const { bootstrap, serve } = await startProxy('other.crt');
    // At start already: the proxy's own first contact with the cluster fails, and the log says why.
    await serve.waitFor(/cannot connect to a broker/);
    expect(serve.stderr()).toMatch(/"tls":true.*not signed by a trusted CA \(check proxyTlsCaFile\)/);
    expect((await fetch(`${serve.url}/readyz`)).status).toBe(503);
    const kafka = new Kafka({
      clientId: uniqueName('wrong-ca'),
      brokers: [bootstrap],
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    await expect(kafka.admin().connect()).rejects.toThrow();
  });
});
