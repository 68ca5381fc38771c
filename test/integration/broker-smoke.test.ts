// Acceptance of the broker harness: real produce/consume, real SASL and ACL failures, real quotas, kcat.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import kafkajs, { logLevel } from 'kafkajs';
import type { Admin, Kafka, LogEntry } from 'kafkajs';
import { grantAcls } from '../support/kafka/kafka-acl.js';
import type { AclGrant } from '../support/kafka/kafka-acl.js';
import { isBrokerAlive, startBroker } from '../support/kafka/kafka-broker.js';
import { describeClientQuota, setClientQuota } from '../support/kafka/kafka-quota.js';
import { SASL_ADMIN, SASL_USERS } from '../support/kafka/kafka-server-properties.js';
import { kcatMetadata, kcatProduce } from './support/kcat.js';
import {
  describeWithKafka,
  describeWithSaslKafka,
  kafkaEnv,
  plaintextKafka,
  saslKafka,
  uniqueName,
} from './support/kafka-env.js';
import { kafkaErrorType, rejectionOf } from './support/kafkajs-errors.js';
import { withAdmin } from './support/with-admin.js';

const MESSAGES = 1000;

/** Consumes `count` messages of `topic` in a fresh consumer group and returns values and partitions. */
async function consumeAll(kafka: Kafka, topic: string, count: number) {
  const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
  const values: string[] = [];
  const partitions = new Set<number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          partitions.add(partition);
          values.push(message.value?.toString() ?? '');
          if (values.length === count) resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return { values, partitions: [...partitions].sort() };
}

describeWithKafka('the harness broker (PLAINTEXT)', () => {
  it('creates a 3-partition topic and round-trips 1,000 messages through a consumer group', async () => {
    const kafka = plaintextKafka();
    const topic = uniqueName('smoke');
    await withAdmin(kafka, async (admin) => {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(
        true,
      );
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      expect(meta?.partitions).toHaveLength(3);
    });

    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: MESSAGES }, (_, i) => ({ key: `k${i % 17}`, value: `message-${i}` }));
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const { values, partitions } = await consumeAll(kafka, topic, MESSAGES);
    expect(values.sort()).toEqual(sent.map((m) => m.value).sort());
    expect(partitions).toEqual([0, 1, 2]);
  });

  it('serves kcat (librdkafka) too: kcat produces, kafkajs consumes', async () => {
    const kafka = plaintextKafka();
    const topic = uniqueName('kcat');
    await withAdmin(kafka, (admin) =>
      admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }),
    );
    const brokers = kafkaEnv().brokers;
    const meta = await kcatMetadata({ brokers }, topic);
    expect(meta.topics.find((t) => t.topic === topic)?.partitions).toHaveLength(2);

    const sent = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `from-kcat-${i}` }));
    await kcatProduce({ brokers }, topic, sent);
    const { values } = await consumeAll(kafka, topic, sent.length);
    expect(values.sort()).toEqual(sent.map((m) => m.value).sort());
  });

  it('applies a client quota set with ConfigCommand, and the producer is throttled', async () => {
    const [bootstrap] = kafkaEnv().brokers;
    if (bootstrap === undefined) throw new Error('no PLAINTEXT bootstrap');
    const clientId = uniqueName('throttled');
    const quota = {
      producer_byte_rate: 1024,
      consumer_byte_rate: 2048,
      request_percentage: 200,
      controller_mutation_rate: 10,
    };
    await setClientQuota(bootstrap, { clientId }, quota);
    expect(await describeClientQuota(bootstrap, { clientId })).toEqual(quota);

    // kafkajs reads throttle_time_ms from each response and logs it at debug level.
    const throttles: number[] = [];
    const logCreator = () => (entry: LogEntry) => {
      const match = /Client side throttling in effect for (\d+)ms/.exec(entry.log.message);
      if (match) throttles.push(Number(match[1]));
    };
    const kafka = plaintextKafka({ clientId, logLevel: logLevel.DEBUG, logCreator });
    const topic = uniqueName('quota');
    await withAdmin(kafka, (admin) => admin.createTopics({ topics: [{ topic }], waitForLeaders: true }));
    const producer = kafka.producer();
    await producer.connect();
    // 4 KiB per request against 1 KiB/s: the broker throttles from the first or second request on.
    for (let i = 0; i < 5 && throttles.length === 0; i += 1) {
      await producer.send({ topic, messages: [{ value: 'x'.repeat(4096) }] });
    }
    await producer.disconnect();
    expect(throttles.length).toBeGreaterThan(0);
    expect(throttles.every((ms) => ms > 0)).toBe(true);
  });
});

describeWithSaslKafka('the harness broker (SASL_PLAINTEXT, StandardAuthorizer)', () => {
  it('rejects a wrong password with KafkaJSSASLAuthenticationError', async () => {
    const admin = saslKafka({ username: 'alice', password: 'not-her-password' }).admin();
    const error = await rejectionOf(admin.connect());
    await admin.disconnect();
    expect(error.name).toBe('KafkaJSSASLAuthenticationError');
    expect(error.message).toContain('Authentication failed: Invalid username or password');
  });

  it.each([
    {
      // kafkajs reports a refused FindCoordinator as "group coordinator not found" without the code, so
      // bob may look the group up (DESCRIBE) but not delete it (DELETE): DeleteGroups carries code 30.
      type: 'GROUP_AUTHORIZATION_FAILED',
      grants: (group: string): AclGrant[] => [
        { user: 'bob', resource: 'group', name: group, operations: ['describe'] },
      ],
      call: (admin: Admin, group: string) => admin.deleteGroups([group]),
    },
    {
      type: 'CLUSTER_AUTHORIZATION_FAILED',
      grants: (): AclGrant[] => [],
      call: (admin: Admin) =>
        admin.describeAcls({
          resourceType: kafkajs.AclResourceTypes.ANY,
          resourcePatternType: kafkajs.ResourcePatternTypes.ANY,
          operation: kafkajs.AclOperationTypes.ANY,
          permissionType: kafkajs.AclPermissionTypes.ANY,
        }),
    },
  ])('gives a user without the needed ACLs $type', async ({ type, grants, call }) => {
    const group = uniqueName('acl-group');
    await withAdmin(saslKafka(SASL_ADMIN), (admin) => grantAcls(admin, grants(group)));
    const bob = saslKafka(SASL_USERS.bob, { retry: { retries: 1, initialRetryTime: 50 } });
    const error = await withAdmin(bob, (admin) => rejectionOf(call(admin, group)));
    expect(kafkaErrorType(error)).toBe(type);
  });

  it('denies a user without ACLs the topic (TOPIC_AUTHORIZATION_FAILED) and allows it once granted', async () => {
    const topic = uniqueName('acl');
    await withAdmin(saslKafka(SASL_ADMIN), (admin) =>
      admin.createTopics({ topics: [{ topic }], waitForLeaders: true }),
    );
    const producer = saslKafka(SASL_USERS.alice, { retry: { retries: 0 } }).producer();
    await producer.connect();
    try {
      const denied = await rejectionOf(producer.send({ topic, messages: [{ value: 'no' }] }));
      expect(kafkaErrorType(denied)).toBe('TOPIC_AUTHORIZATION_FAILED');

      await withAdmin(saslKafka(SASL_ADMIN), (admin) =>
        grantAcls(admin, [
          { user: 'alice', resource: 'topic', name: topic, operations: ['write', 'describe'] },
        ]),
      );
      // The authorizer learns the ACL through the metadata log: allow it a few tries.
      let result: unknown;
      for (let attempt = 0; attempt < 20 && result === undefined; attempt += 1) {
        result = await producer.send({ topic, messages: [{ value: 'yes' }] }).catch(() => undefined);
        if (result === undefined) await new Promise((r) => setTimeout(r, 250));
      }
      expect(result).toEqual([expect.objectContaining({ topicName: topic, errorCode: 0 })]);
    } finally {
      await producer.disconnect();
    }
  });
});

describe.skipIf(kafkaEnv().source !== 'local')('the broker launcher', () => {
  it('starts a plaintext broker that serves, and stop() leaves no process and no data behind', async () => {
    const broker = await startBroker({ profile: 'plaintext', version: kafkaEnv().version });
    try {
      expect(broker.plaintextBootstrap).toBe(broker.bootstrap);
      const meta = await kcatMetadata({ brokers: [broker.bootstrap] });
      expect(meta.brokers.map((b) => b.name)).toEqual([broker.bootstrap]);
    } finally {
      await broker.stop();
    }
    expect(isBrokerAlive(broker)).toBe(false);
    expect(existsSync(broker.dataDir)).toBe(false);
    await broker.stop();
  });
});
