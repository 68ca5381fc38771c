// Acceptance: `node --import dist/register.js app` instruments an unchanged kafkajs application (CommonJS and
// ES module alike), serves /metrics from inside it, and never changes what the application sees.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/kafka/kafka-broker.js';
import { describeWithKafka, kafkaEnv, uniqueName } from '../support/kafka-env.js';
import { startOtlpReceiver, sumPoints } from '../../support/otlp-receiver.js';
import type { OtlpReceiver } from '../../support/otlp-receiver.js';
import { createTopics, parseExposition } from './scenario-support.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const REGISTER = fileURLToPath(new URL('../../../dist/register.js', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

interface AppRun {
  /** The application's JSON line. */
  readonly result: { kafkaName: string; missing: string; errorCode: number };
  readonly stderr: string;
  /** The /metrics text, when the run asked for it. */
  readonly metrics?: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Runs a fixture app with (or without) the register entry; with `scrape`, keeps it alive until /metrics has
 * been read, then stops it.
 */
async function runApp(
  app: string,
  options: { register: boolean; env?: Record<string, string>; scrape?: number },
): Promise<AppRun> {
  const topic = uniqueName('zero-code');
  await createTopics([{ topic }]);
  const child = spawn(process.execPath, [...(options.register ? ['--import', REGISTER] : []), fixture(app)], {
    // kafkajs is resolved from the working directory, as an application's own would be.
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKA_ERROR_EXPORTER_HOST: '127.0.0.1',
      APP_CLIENT_ID: 'zero-code-app',
      APP_BROKERS: kafkaEnv().brokers[0]!,
      APP_TOPIC: topic,
      APP_MISSING_TOPIC: uniqueName('zero-code-missing'),
      ...(options.scrape === undefined
        ? {}
        : { APP_STAY: '1', KAFKA_ERROR_EXPORTER_PORT: String(options.scrape) }),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  );
  try {
    for (let i = 0; i < 300 && !stdout.includes('\n') && child.exitCode === null; i++) await sleep(100);
    const line = stdout.split('\n')[0] ?? '';
    if (!line.startsWith('{')) throw new Error(`the application printed no result; stderr:\n${stderr}`);
    const metrics =
      options.scrape === undefined
        ? undefined
        : await (await fetch(`http://127.0.0.1:${options.scrape}/metrics`)).text();
    if (options.scrape !== undefined) child.kill('SIGTERM');
    const [exitCode, signal] = await exited;
    return {
      result: JSON.parse(line) as AppRun['result'],
      stderr,
      exitCode,
      signal,
      ...(metrics ? { metrics } : {}),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

describeWithKafka('zero-code activation (node --import kafka-error-exporter/register)', () => {
  beforeAll(() => {
    if (!existsSync(REGISTER)) throw new Error(`${REGISTER} is missing: run npm run build first`);
  });

  it.each(['zero-code-app.cjs', 'zero-code-app.mjs'])(
    '%s: its errors are served on /metrics, its results are those of the plain run',
    async (app) => {
      const plain = await runApp(app, { register: false });
      const port = await freePort();
      const instrumented = await runApp(app, { register: true, scrape: port });
      expect(instrumented.result).toEqual(plain.result);
      expect(plain.result).toEqual({
        kafkaName: 'Client',
        missing: 'KafkaJSNumberOfRetriesExceeded',
        errorCode: 0,
      });

      const samples = parseExposition(instrumented.metrics!).filter(
        (s) => s.labels.messaging_client_id === 'zero-code-app',
      );
      const value = (name: string, labels: Record<string, string>): number[] =>
        samples
          .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
          .map((s) => s.value);
      // Wire: the Metadata answers of the first try and the one retry; application: one rejected send.
      expect(
        value('kafka_client_response_errors_total', { kafka_error_code: '3', kafka_api_name: 'Metadata' }),
      ).toEqual([2]);
      expect(
        value('kafka_client_operation_errors_total', {
          kafka_error_code: '3',
          kafka_error_origin: 'broker',
          messaging_operation_name: 'send',
        }),
      ).toEqual([1]);
      expect(samples.filter((s) => s.name === 'kafka_client_operation_errors_total')).toHaveLength(1);
      expect(value('kafka_client_responses_total', { kafka_api_name: 'Produce' })).toEqual([1]);
    },
  );

  it('lets the application end by itself: the in-process server does not hold it open', async () => {
    const run = await runApp('zero-code-app.cjs', {
      register: true,
      env: { KAFKA_ERROR_EXPORTER_PORT: String(await freePort()) },
    });
    expect(run.exitCode).toBe(0);
    expect(run.result.errorCode).toBe(0);
  });

  it('runs the application unchanged when the configuration is invalid, and says why on stderr', async () => {
    const run = await runApp('zero-code-app.mjs', {
      register: true,
      env: { KAFKA_ERROR_EXPORTER_PORT: 'not-a-port' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.result).toEqual({
      kafkaName: 'Client',
      missing: 'KafkaJSNumberOfRetriesExceeded',
      errorCode: 0,
    });
    expect(run.stderr).toContain('KAFKA_ERROR_EXPORTER_PORT');
    expect(run.stderr).toContain('instrumentation disabled');
  });

  describe('with an OTLP endpoint', () => {
    let receiver: OtlpReceiver;
    beforeAll(async () => {
      receiver = await startOtlpReceiver();
    });
    afterAll(() => receiver.close());

    /** The pushes of the run whose client id is `zero-code-app`, as response error points. */
    const pushed = (from: number) =>
      receiver.requests
        .slice(from)
        .flatMap((request) => sumPoints(request.body, 'kafka.client.response.errors'))
        .filter((point) => point.attributes['messaging.client.id'] === 'zero-code-app');

    it("pushes the application's errors to a local receiver, flushed as the application ends by itself", async () => {
      const from = receiver.requests.length;
      const run = await runApp('zero-code-app.cjs', {
        register: true,
        env: {
          KAFKA_ERROR_EXPORTER_PORT: String(await freePort()),
          KAFKA_ERROR_EXPORTER_OTLP_ENDPOINT: receiver.url,
          KAFKA_ERROR_EXPORTER_OTLP_INTERVAL: '1h',
        },
      });
      expect(run.exitCode).toBe(0);
      expect(run.stderr).toMatch(/"otlp":true/);
      expect(receiver.requests.slice(from)).toHaveLength(1);
      expect(receiver.requests[from]).toMatchObject({ method: 'POST', url: '/v1/metrics' });
      // The same count /metrics shows: the Metadata answers of the first try and the one retry.
      expect(
        pushed(from).filter(
          (p) => p.attributes['kafka.error.code'] === '3' && p.attributes['kafka.api.name'] === 'Metadata',
        ),
      ).toEqual([expect.objectContaining({ value: 2 })]);
    });

    it('flushes on SIGTERM, then ends by the signal as the application would have', async () => {
      const from = receiver.requests.length;
      const run = await runApp('zero-code-app.mjs', {
        register: true,
        scrape: await freePort(),
        env: {
          KAFKA_ERROR_EXPORTER_OTLP_ENDPOINT: receiver.url,
          KAFKA_ERROR_EXPORTER_OTLP_INTERVAL: '1h',
        },
      });
      expect(run.signal).toBe('SIGTERM');
      expect(receiver.requests.slice(from)).toHaveLength(1);
      expect(pushed(from).length).toBeGreaterThan(0);
    });

    it('ignores, with one warning, the proxy variables a shared environment holds for serve', async () => {
      const run = await runApp('zero-code-app.cjs', {
        register: true,
        env: {
          KAFKA_ERROR_EXPORTER_PORT: String(await freePort()),
          KAFKA_ERROR_EXPORTER_PROXY_UPSTREAM: kafkaEnv().brokers[0]!,
        },
      });
      expect(run.exitCode).toBe(0);
      expect(
        run.stderr.match(/ignores KAFKA_ERROR_EXPORTER_PROXY_UPSTREAM: used only by serve/g),
      ).toHaveLength(1);
      expect(run.stderr).not.toContain('instrumentation disabled');
    });
  });
});
