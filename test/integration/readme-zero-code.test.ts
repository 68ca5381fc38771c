// The README's zero-code command, run as written: an application that knows nothing of the exporter, started
// with `node --import kafka-error-exporter/register app.js`, serves the errors its kafkajs client met.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { freePort } from '../support/kafka/kafka-broker.js';
import { describeWithKafka, kafkaEnv, uniqueName } from './support/kafka-env.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A plain CommonJS kafkajs application: one send to a missing topic, then it idles until stopped. */
const APP = `const { Kafka, logLevel } = require('kafkajs');
const kafka = new Kafka({
  clientId: 'zero-code-app',
  brokers: [process.env.APP_BROKERS],
  logLevel: logLevel.NOTHING,
  retry: { retries: 1, initialRetryTime: 100 },
});
(async () => {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: process.env.APP_TOPIC, messages: [{ value: 'v' }] }).catch(() => {});
  await producer.disconnect();
  console.log('sent');
  setInterval(() => {}, 1000);
})();
`;

/** The zero-code command line as the README shows it. */
function readmeCommand(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.includes('node --import kafka-error-exporter/register'));
  if (line === undefined) throw new Error('README.md has no zero-code command');
  return line.trim();
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeWithKafka('zero-code mode (README)', () => {
  it('instruments an unchanged kafkajs application and serves its errors on /metrics', async () => {
    const command = readmeCommand();
    expect(command).toBe('KAFKA_ERROR_EXPORTER_PORT=9464 node --import kafka-error-exporter/register app.js');
    // An application folder as a user has it: app.js, with the package and kafkajs in node_modules.
    const dir = mkdtempSync(path.join(tmpdir(), 'zero-code-app-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'app.js'), APP);
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(ROOT, path.join(dir, 'node_modules', 'kafka-error-exporter'));
    symlinkSync(path.join(ROOT, 'node_modules', 'kafkajs'), path.join(dir, 'node_modules', 'kafkajs'));

    // The README's port, moved to a free one so that runs in parallel never collide.
    const port = await freePort();
    const child = spawn('sh', ['-c', command.replace('=9464', `=${port}`)], {
      cwd: dir,
      env: {
        ...process.env,
        KAFKA_ERROR_EXPORTER_HOST: '127.0.0.1',
        APP_BROKERS: kafkaEnv().brokers[0],
        APP_TOPIC: uniqueName('zero-code-missing'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: stopping it stops the shell and node alike.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<void>((resolve) => child.stdout.once('close', () => resolve()));
    try {
      for (let i = 0; i < 300 && !stdout.includes('sent'); i++) {
        if (child.exitCode !== null) break;
        await sleep(100);
      }
      expect(stdout, stderr).toContain('sent');
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const lines = metrics.split('\n').filter((l) => l.includes('messaging_client_id="zero-code-app"'));
      // Two Metadata answers (the first try and one retry) carried the missing topic's code; one rejected send.
      expect(
        lines.filter(
          (l) =>
            l.startsWith('kafka_client_response_errors_total{') &&
            l.includes('kafka_error_code="3"') &&
            l.includes('kafka_api_name="Metadata"'),
        ),
      ).toHaveLength(1);
      expect(
        lines.find(
          (l) => l.startsWith('kafka_client_operation_errors_total{') && l.includes('kafka_error_code="3"'),
        ),
      ).toMatch(/messaging_operation_name="send".* 1$/);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      // The pipe closes once every process of the group (the last holder of it) has ended.
      await closed;
    }
  });
});
