// Acceptance: authentication and authorization failures on the broker's SASL_PLAINTEXT listener.
import type { Kafka } from 'kafkajs';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { grantAcls } from '../../support/kafka/kafka-acl.js';
import type { AclGrant } from '../../support/kafka/kafka-acl.js';
import { SASL_ADMIN, SASL_USERS } from '../../support/kafka/kafka-server-properties.js';
import { describeWithSaslKafka, kafkaEnv, saslKafka, uniqueName } from '../support/kafka-env.js';
import { instrumentedClient, rejection, warmUpGroupCoordinator, withAdmin } from './scenario-support.js';
import type { InstrumentedClient } from './scenario-support.js';

const open: InstrumentedClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.handle.detach();
});

/** An instrumented client on the SASL listener as `alice` (or with the password given). */
function alice(password = SASL_USERS.alice.password): InstrumentedClient {
  const c = instrumentedClient({
    brokers: [...kafkaEnv().saslBrokers],
    sasl: { mechanism: 'plain', username: SASL_USERS.alice.username, password },
  });
  open.push(c);
  return c;
}

/** Retries `probe` until it succeeds: the authorizer learns new ACLs through the metadata log. */
async function eventually(probe: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await probe();
      return;
    } catch (error) {
      if (attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function grant(grants: AclGrant[]): Promise<void> {
  await withAdmin(saslKafka(SASL_ADMIN), (admin) => grantAcls(admin, grants));
}

describeWithSaslKafka('SASL and ACL errors', () => {
  beforeAll(warmUpGroupCoordinator);

  it('58 SASL_AUTHENTICATION_FAILED: a wrong password; kafkajs drops the type, we restore the code', async () => {
    const c = alice('not-her-password');
    const admin = c.kafka.admin();
    const error = await rejection(admin.connect());
    await admin.disconnect();
    expect((error as Error).name).toBe('KafkaJSSASLAuthenticationError');
    expect(await c.responseErrors()).toEqual([{ code: 58, api: 'SaslAuthenticate', count: 1 }]);
    expect(await c.operationErrors()).toEqual([
      { code: 58, type: 'SASL_AUTHENTICATION_FAILED', origin: 'broker', operation: 'connect', count: 1 },
    ]);
  });

  it('29 TOPIC_AUTHORIZATION_FAILED: producing to a topic without an ACL', async () => {
    const topic = uniqueName('denied-topic');
    await withAdmin(saslKafka(SASL_ADMIN), (admin) =>
      admin.createTopics({ topics: [{ topic }], waitForLeaders: true }),
    );
    const c = alice();
    const producer = c.kafka.producer();
    await producer.connect();
    await rejection(producer.send({ topic, messages: [{ value: 'no' }] }));
    await producer.disconnect();
    expect(await c.responseErrors()).toEqual([{ code: 29, api: 'Metadata', count: 1 }]);
    expect(await c.operationErrors()).toEqual([
      { code: 29, type: 'TOPIC_AUTHORIZATION_FAILED', origin: 'broker', operation: 'send', count: 1 },
    ]);
  });

  it('30 GROUP_AUTHORIZATION_FAILED: joining a group alice may describe but not read', async () => {
    const topic = uniqueName('group-topic');
    const groupId = uniqueName('denied-group');
    await withAdmin(saslKafka(SASL_ADMIN), (admin) =>
      admin.createTopics({ topics: [{ topic }], waitForLeaders: true }),
    );
    await grant([
      { user: 'alice', resource: 'topic', name: topic, operations: ['read', 'describe'] },
      { user: 'alice', resource: 'group', name: groupId, operations: ['describe'] },
    ]);
    await eventually(() => describeAsAlice(saslAlice(), topic, groupId));

    const c = alice();
    const consumer = c.kafka.consumer({ groupId, retry: { retries: 0 } });
    await consumer.connect();
    await consumer.subscribe({ topic });
    const crashed = new Promise((resolve) => consumer.on(consumer.events.CRASH, resolve));
    await consumer.run({ eachMessage: async () => undefined });
    await crashed;
    await consumer.disconnect();
    expect(await c.responseErrors()).toEqual([{ code: 30, api: 'JoinGroup', count: 1 }]);
    expect(await c.operationErrors()).toEqual([
      { code: 30, type: 'GROUP_AUTHORIZATION_FAILED', origin: 'broker', operation: 'consume', count: 1 },
    ]);
  });

  it('31 CLUSTER_AUTHORIZATION_FAILED: listing ACLs without cluster DESCRIBE', async () => {
    const c = alice();
    await withAdmin(c.kafka, (admin) =>
      rejection(
        admin.describeAcls({
          resourceType: 1 /* ANY */,
          resourcePatternType: 1 /* ANY */,
          operation: 1 /* ANY */,
          permissionType: 1 /* ANY */,
        }),
      ),
    );
    expect(await c.responseErrors()).toEqual([{ code: 31, api: 'DescribeAcls', count: 1 }]);
    expect(await c.operationErrors()).toEqual([
      { code: 31, type: 'CLUSTER_AUTHORIZATION_FAILED', origin: 'broker', operation: 'admin', count: 1 },
    ]);
  });
});

/** An uninstrumented client as alice, for polling ACL propagation outside the counts. */
function saslAlice(): Kafka {
  return saslKafka(SASL_USERS.alice);
}

async function describeAsAlice(kafka: Kafka, topic: string, groupId: string): Promise<void> {
  await withAdmin(kafka, async (admin) => {
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.fetchOffsets({ groupId, topics: [topic] });
  });
}
