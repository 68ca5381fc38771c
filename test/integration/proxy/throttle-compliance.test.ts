// Throttle compliance through the proxy against the real broker: a hand-written client that does not wait out
// the throttle_time_ms the broker announced is counted exactly, request by request; kafkajs, which waits, is not.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setClientQuota } from '../../support/kafka/kafka-quota.js';
import { createTopics, setupKafka } from '../scenarios/scenario-support.js';
import { describeWithKafka, kafkaEnv, uniqueName } from '../support/kafka-env.js';
import { startProxyUnderTest } from '../support/proxy-under-test.js';
import { PROXY_THROTTLE_GRACE_MS } from '../../../src/exporter/proxy-sidecar.js';
import type { ProxyUnderTest } from '../support/proxy-under-test.js';
import { Kafka, logLevel } from 'kafkajs';
import { runJavaClient } from '../../support/kafka/java-client.js';
import type { JavaClientResult } from '../../support/kafka/java-client.js';

let px: ProxyUnderTest;
beforeAll(async () => {
  if (kafkaEnv().available) px = await startProxyUnderTest(kafkaEnv().brokers);
});
afterAll(async () => {
  await px?.close();
});

/** A Fetch v4 request for partition 0 of `topic` from `offset`, at most 64 KiB. */
function fetchV4(clientId: string, correlationId: number, topic: string, offset: number): Buffer {
  const id = Buffer.from(clientId);
  const name = Buffer.from(topic);
  const body = Buffer.alloc(
    2 + 2 + 4 + 2 + id.length + 4 + 4 + 4 + 4 + 1 + 4 + 2 + name.length + 4 + 4 + 8 + 4,
  );
  let at = body.writeInt16BE(1, 0); // Fetch
  at = body.writeInt16BE(4, at);
  at = body.writeInt32BE(correlationId, at);
  at = body.writeInt16BE(id.length, at);
  at += id.copy(body, at);
  at = body.writeInt32BE(-1, at); // replica id: a consumer
  at = body.writeInt32BE(100, at); // max wait ms
  at = body.writeInt32BE(1, at); // min bytes
  at = body.writeInt32BE(65_536, at); // max bytes
  at = body.writeInt8(0, at); // read uncommitted
  at = body.writeInt32BE(1, at); // one topic
  at = body.writeInt16BE(name.length, at);
  at += name.copy(body, at);
  at = body.writeInt32BE(1, at); // one partition
  at = body.writeInt32BE(0, at);
  at = body.writeBigInt64BE(BigInt(offset), at);
  body.writeInt32BE(65_536, at); // partition max bytes
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Reads whole response frames from a socket, one at a time. */
function frames(socket: Socket): () => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake?.();
  });
  return async () => {
    for (;;) {
      if (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + frame.length);
        return frame;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
}

async function requestsDuringThrottle(clientId: string): Promise<number> {
  return (await px.samples())
    .filter(
      (s) =>
        s.name === 'kafka_client_requests_during_throttle_total' && s.labels.messaging_client_id === clientId,
    )
    .reduce((sum, s) => sum + s.value, 0);
}

describeWithKafka('throttle compliance through the proxy', () => {
  it('counts exactly the requests a client sends before the announced throttle ends', async () => {
    const clientId = uniqueName('impatient');
    const topic = uniqueName('throttle-compliance');
    await createTopics([{ topic }]);
    const feeder = setupKafka().producer();
    await feeder.connect();
    for (let i = 0; i < 12; i += 1) await feeder.send({ topic, messages: [{ value: 'y'.repeat(600) }] });
    await feeder.disconnect();
    await setClientQuota(kafkaEnv().brokers[0]!, { clientId }, { consumer_byte_rate: 1024 });

    const [host, port] = px.bootstrap.split(':');
    const socket = connect({ host: host!, port: Number(port) });
    await new Promise((resolve) => socket.once('connect', resolve));
    const next = frames(socket);
    let correlationId = 0;
    let throttled = 0;
    // Fetch everything (7 KiB against 1 KiB/s), waiting out each throttle as asked, until the broker announces
    // one long enough to send during it.
    for (let i = 0; i < 40 && throttled < 600; i += 1) {
      if (throttled > 0) await new Promise((resolve) => setTimeout(resolve, throttled + 10));
      socket.write(fetchV4(clientId, correlationId++, topic, 0));
      throttled = (await next()).readInt32BE(4); // correlation id, then throttle_time_ms
    }
    expect(throttled).toBeGreaterThanOrEqual(600);
    // Three more at once, a moment later (past the proxy's grace for requests that crossed the response in
    // flight) but long before the throttle ends: each one is sent during the throttle.
    await new Promise((resolve) => setTimeout(resolve, PROXY_THROTTLE_GRACE_MS + 100));
    socket.write(Buffer.concat([0, 1, 2].map((i) => fetchV4(clientId, correlationId++, topic, i))));
    for (let i = 0; i < 3; i += 1) await next();
    socket.destroy();
    expect(await requestsDuringThrottle(clientId)).toBe(3);
  });

  it('counts a kafkajs consumer under the same quota at or near zero: it waits as asked', async () => {
    const clientId = uniqueName('patient');
    const topic = uniqueName('throttle-patient');
    await createTopics([{ topic }]);
    const feeder = setupKafka().producer();
    await feeder.connect();
    for (let i = 0; i < 5; i += 1) await feeder.send({ topic, messages: [{ value: 'y'.repeat(600) }] });
    await feeder.disconnect();
    await setClientQuota(kafkaEnv().brokers[0]!, { clientId }, { consumer_byte_rate: 1024 });
    const kafka = new Kafka({ clientId, brokers: [px.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({
      groupId: uniqueName('patient'),
      maxBytesPerPartition: 1024,
      maxBytes: 1024,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({ eachMessage: async () => void seen++ });
    const deadline = Date.now() + 60_000;
    while (seen < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await consumer.disconnect();
    expect(seen).toBe(5);
    const throttledFetches = (await px.samples())
      .filter(
        (s) =>
          s.name === 'kafka_client_throttle_time_seconds_count' && s.labels.messaging_client_id === clientId,
      )
      .reduce((sum, s) => sum + s.value, 0);
    expect(throttledFetches).toBeGreaterThan(0);
    expect(await requestsDuringThrottle(clientId)).toBeLessThanOrEqual(1);
  });

  it('counts the Java producer under a producer_byte_rate quota at or near zero: it waits as asked', async () => {
    const clientId = uniqueName('java-patient');
    const bootstrap = kafkaEnv().brokers[0]!;
    const quota = await runJavaClient('set-quota', {
      bootstrap,
      'client-id': clientId,
      key: 'producer_byte_rate',
      value: 16_384,
    });
    expect(quota).toMatchObject({ visible: true });
    // 120 KiB against 16 KiB/s: the broker throttles the producer for several seconds in all.
    const produced = await runJavaClient<JavaClientResult & { metrics: Record<string, number> }>(
      'produce',
      {
        bootstrap: px.bootstrap,
        topic: uniqueName('java-throttled'),
        partitions: 1,
        count: 120,
        size: 1024,
        'client-id': clientId,
        'linger-ms': 0,
      },
      { timeoutMs: 90_000 },
    );
    expect(produced).toMatchObject({ ok: true, succeeded: 120 });
    expect(Number(produced.metrics['produce-throttle-time-max'])).toBeGreaterThan(0);
    const throttled = (await px.samples())
      .filter(
        (s) =>
          s.name === 'kafka_client_throttle_time_seconds_count' && s.labels.messaging_client_id === clientId,
      )
      .reduce((sum, s) => sum + s.value, 0);
    expect(throttled).toBeGreaterThan(0);
    expect(await requestsDuringThrottle(clientId)).toBeLessThanOrEqual(1);
  });
});
