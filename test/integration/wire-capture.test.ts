// The wire capture against the real broker: a kafkajs client whose socketFactory decodes every response.
import { expect, it } from 'vitest';
import type { Kafka, KafkaConfig } from 'kafkajs';
import { instrumentSocketFactory } from '../../src/capture/kafkajs/socket-factory.js';
import { SASL_ADMIN } from '../../src/testing/kafka-server-properties.js';
import { memoryRecorder } from '../capture/memory-recorder.js';
import type { MemoryRecorder } from '../capture/memory-recorder.js';
import {
  describeWithKafka,
  describeWithSaslKafka,
  plaintextKafka,
  saslKafka,
  uniqueName,
} from './support/kafka-env.js';

/** A kafkajs client with the wire capture, and the in-memory recorder it reports to. */
function captured(
  make: (config: Partial<KafkaConfig>) => Kafka,
  config: Partial<KafkaConfig> = {},
): { kafka: Kafka; recorder: MemoryRecorder } {
  const recorder = memoryRecorder();
  const clientId = uniqueName('wire');
  const socketFactory = instrumentSocketFactory(undefined, { recorder, clientId, topicLabel: true });
  return { kafka: make({ clientId, socketFactory, ...config }), recorder };
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

    const consumer = kafka.consumer({ groupId: uniqueName('wire-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let received = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async () => {
          if (++received === 30) resolve();
        },
      });
    });
    await consumer.disconnect();

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
