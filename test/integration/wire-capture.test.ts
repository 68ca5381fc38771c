// The wire capture against the real broker: a kafkajs client whose socketFactory decodes every response.
import { expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import type { ConsumerConfig, Kafka, KafkaConfig, LogEntry } from 'kafkajs';
import { instrument } from '../../src/exporter/instrument.js';
import { instrumentSocketFactory } from '../../src/capture/kafkajs/socket-factory.js';
import { setClientQuota } from '../support/kafka/kafka-quota.js';
import { SASL_ADMIN } from '../support/kafka/kafka-server-properties.js';
import { memoryRecorder } from '../capture/memory-recorder.js';
import { createTopics, setupKafka } from './scenarios/scenario-support.js';
import type { MemoryRecorder } from '../capture/memory-recorder.js';
import {
  describeWithKafka,
  describeWithSaslKafka,
  kafkaEnv,
  plaintextKafka,
  saslKafka,
  uniqueName,
} from './support/kafka-env.js';

/** A kafkajs client with the wire capture, and the in-memory recorder it reports to. */
function captured(
  make: (config: Partial<KafkaConfig>) => Kafka,
  config: Partial<KafkaConfig> = {},
  clientId = uniqueName('wire'),
): { kafka: Kafka; recorder: MemoryRecorder } {
  const recorder = memoryRecorder();
  const socketFactory = instrumentSocketFactory(undefined, { recorder, clientId, topicLabel: true });
  return { kafka: make({ clientId, socketFactory, ...config }), recorder };
}

/** Reads `count` messages of `topic` from the beginning in a new consumer, then disconnects it. */
async function consumeFromStart(
  kafka: Kafka,
  topic: string,
  count: number,
  config: ConsumerConfig,
): Promise<void> {
  const consumer = kafka.consumer(config);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let received = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async () => {
        if (++received === count) resolve();
      },
    });
  });
  await consumer.disconnect();
}

const FAST_RETRY = { retries: 2, initialRetryTime: 50, maxRetryTime: 200 };

describeWithKafka('wire capture with a real broker', () => {
  it('sees UNKNOWN_TOPIC_OR_PARTITION (3) that kafkajs retries silently for a missing topic', async () => {
    const { kafka, recorder } = captured(plaintextKafka, { retry: FAST_RETRY });
    const topic = uniqueName('missing');
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: FAST_RETRY });
    await producer.connect();
    try {
      await expect(producer.send({ topic, messages: [{ value: 'x' }] })).rejects.toThrow();
    } finally {
      await producer.disconnect();
    }
    const missing = recorder.errors.filter((e) => e.code === 3);
    expect(missing.length).toBeGreaterThan(0);
    expect(new Set(missing.map((e) => `${e.api} ${e.topic}`))).toEqual(new Set([`Metadata ${topic}`]));
    expect(recorder.undecodable).toEqual([]);
    expect(recorder.failures).toEqual([]);
  });

  it('counts responses per API for a produce and consume round trip, with no errors but the join handshake', async () => {
    const { kafka, recorder } = captured(plaintextKafka);
    const topic = uniqueName('wire-roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    await producer.disconnect();

    await consumeFromStart(kafka, topic, 30, { groupId: uniqueName('wire-group') });

    const counts = recorder.responseCounts();
    for (const api of [
      'ApiVersions',
      'Metadata',
      'CreateTopics',
      'Produce',
      'FindCoordinator',
      'JoinGroup',
    ]) {
      expect(counts[api], api).toBeGreaterThan(0);
    }
    for (const api of ['SyncGroup', 'OffsetFetch', 'ListOffsets', 'Fetch', 'LeaveGroup']) {
      expect(counts[api], api).toBeGreaterThan(0);
    }
    // JoinGroup v4+ answers a member without an id MEMBER_ID_REQUIRED (79) once, by design (KIP-394); the
    // group coordinator may not be ready at first (15, 14), and a fresh group rebalances (27).
    const expected = new Set(['JoinGroup:79', 'FindCoordinator:15', 'FindCoordinator:14', 'Heartbeat:27']);
    expect(Object.keys(recorder.errorCounts()).filter((k) => !expected.has(k))).toEqual([]);
    expect(recorder.errorCounts()['JoinGroup:79']).toBe(1);
    expect(recorder.undecodable).toEqual([]);
    expect(recorder.failures).toEqual([]);
    expect(
      recorder.responses.every((r) => r.endpoint.clientId === recorder.responses[0]!.endpoint.clientId),
    ).toBe(true);
  });
  it('decodes Fetch responses up to maxFrameBytes and counts larger ones as oversized, without losing a message', async () => {
    const topic = uniqueName('wire-frames');
    await createTopics([{ topic }]);
    const producer = setupKafka().producer();
    await producer.connect();
    // 20 records of 4 KiB: the first Fetch carries ~80 KiB, far above a 16 KiB frame limit.
    await producer.send({ topic, messages: Array.from({ length: 20 }, () => ({ value: 'x'.repeat(4096) })) });
    await producer.disconnect();

    const consumeAll = async (maxFrameBytes: number | undefined): Promise<MemoryRecorder> => {
      const recorder = memoryRecorder();
      const kafka = plaintextKafka({ clientId: uniqueName('wire-frames') });
      const handle = instrument(kafka, {
        recorder,
        ...(maxFrameBytes === undefined ? {} : { maxFrameBytes }),
      });
      await consumeFromStart(kafka, topic, 20, {
        groupId: uniqueName('wire-frames-group'),
        maxWaitTimeInMs: 100,
      });
      handle.detach();
      return recorder;
    };

    const limited = await consumeAll(16 * 1024);
    expect(limited.responseCounts()['Fetch']).toBeGreaterThan(0);
    expect(limited.undecodable.filter((reason) => reason === 'oversized').length).toBeGreaterThan(0);
    expect(limited.undecodable.filter((reason) => reason !== 'oversized')).toEqual([]);
    expect(limited.failures).toEqual([]);

    const unlimited = await consumeAll(undefined);
    expect(unlimited.responseCounts()['Fetch']).toBeGreaterThan(0);
    expect(unlimited.undecodable).toEqual([]);
  });

  it("reads the broker's throttle times as kafkajs itself reads them", async () => {
    const clientId = uniqueName('wire-throttled');
    await setClientQuota(kafkaEnv().brokers[0]!, { clientId }, { producer_byte_rate: 1024 });
    // kafkajs logs the throttle_time_ms it decodes at debug level: the independent reading to compare with.
    const logged: number[] = [];
    const logCreator = () => (entry: LogEntry) => {
      const match = /Client side throttling in effect for (\d+)ms/.exec(entry.log.message);
      if (match) logged.push(Number(match[1]));
    };
    const { kafka, recorder } = captured(plaintextKafka, { logLevel: logLevel.DEBUG, logCreator }, clientId);
    const topic = uniqueName('wire-quota');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    // 4 KiB per request against 1 KiB/s: the broker throttles from the first or second request on.
    for (let i = 0; i < 5 && logged.length === 0; i += 1) {
      await producer.send({ topic, messages: [{ value: 'x'.repeat(4096) }] });
    }
    await producer.disconnect();
    const produceThrottles = recorder.throttles.filter((t) => t.api === 'Produce').map((t) => t.ms);
    expect(logged.length).toBeGreaterThan(0);
    expect(produceThrottles).toEqual(logged);
    expect(recorder.undecodable).toEqual([]);
  });
});

describeWithSaslKafka('wire capture over SASL/PLAIN', () => {
  it('follows SaslHandshake and SaslAuthenticate and decodes what comes after', async () => {
    const { kafka, recorder } = captured((config) => saslKafka(SASL_ADMIN, config));
    const admin = kafka.admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
    expect(recorder.responseCounts()).toMatchObject({ SaslHandshake: 1, SaslAuthenticate: 1 });
    expect(recorder.responseCounts()['Metadata']).toBeGreaterThan(0);
    expect(recorder.errors).toEqual([]);
    expect(recorder.undecodable).toEqual([]);
  });

  it('sees SASL_AUTHENTICATION_FAILED (58) for a wrong password', async () => {
    const { kafka, recorder } = captured(
      (config) => saslKafka({ username: SASL_ADMIN.username, password: 'wrong' }, config),
      { retry: { retries: 0 } },
    );
    const admin = kafka.admin();
    await expect(admin.connect()).rejects.toThrow();
    await admin.disconnect();
    expect(recorder.errorCounts()).toEqual({ 'SaslAuthenticate:58': 1 });
    expect(recorder.undecodable).toEqual([]);
  });
});
