// Acceptance: admin errors provoked on the real broker (CreateTopics, DeleteRecords, DeleteGroups).
import { afterEach, expect, it } from 'vitest';
import { describeWithKafka, uniqueName } from '../support/kafka-env.js';
import { createTopics, instrumentedClient, rejection, setupKafka, withAdmin } from './scenario-support.js';
import type { InstrumentedClient } from './scenario-support.js';

const open: InstrumentedClient[] = [];
function client(): InstrumentedClient {
  const c = instrumentedClient();
  open.push(c);
  return c;
}
afterEach(() => {
  for (const c of open.splice(0)) c.handle.detach();
});

describeWithKafka('admin errors', () => {
  it('36 TOPIC_ALREADY_EXISTS: on the wire only, kafkajs resolves createTopics with false', async () => {
    const topic = uniqueName('exists');
    await createTopics([{ topic }]);
    const c = client();
    const created = await withAdmin(c.kafka, (admin) => admin.createTopics({ topics: [{ topic }] }));
    expect(created).toBe(false);
    expect(await c.responseErrors()).toEqual([{ code: 36, api: 'CreateTopics', count: 1 }]);
    expect(await c.operationErrors()).toEqual([]);
  });

  it.each([
    { code: 37, type: 'INVALID_PARTITIONS', how: '0 partitions', numPartitions: 0, replicationFactor: 1 },
    {
      code: 38,
      type: 'INVALID_REPLICATION_FACTOR',
      how: 'replication factor 3 on one broker',
      numPartitions: 1,
      replicationFactor: 3,
    },
    {
      code: 44,
      type: 'POLICY_VIOLATION',
      how: '10,001 partitions in one request',
      numPartitions: 10_001,
      replicationFactor: 1,
    },
  ])('$code $type ($how): one CreateTopics error, one rejected admin call', async (row) => {
    const c = client();
    const topic = uniqueName(`create-${row.code}`);
    const error = await withAdmin(c.kafka, (admin) =>
      rejection(
        admin.createTopics({
          topics: [{ topic, numPartitions: row.numPartitions, replicationFactor: row.replicationFactor }],
        }),
      ),
    );
    expect((error as Error).name).toBe('KafkaJSAggregateError');
    expect(await c.responseErrors()).toEqual([{ code: row.code, api: 'CreateTopics', count: 1 }]);
    expect(await c.operationErrors()).toEqual([
      { code: row.code, type: row.type, origin: 'broker', operation: 'admin', count: 1 },
    ]);
  });

  it('1 OFFSET_OUT_OF_RANGE: deleting records past the end of the log', async () => {
    const topic = uniqueName('delete-records');
    await createTopics([{ topic }]);
    const c = client();
    const error = await withAdmin(c.kafka, async (admin) => {
      // kafkajs finds the partition leaders in the admin's metadata: load the topic's first.
      await admin.fetchTopicMetadata({ topics: [topic] });
      return rejection(admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '100' }] }));
    });
    expect((error as Error).name).toBe('KafkaJSNonRetriableError');
    expect(await c.responseErrors()).toEqual([{ code: 1, api: 'DeleteRecords', count: 1 }]);
    expect(await c.operationErrors()).toEqual([
      { code: 1, type: 'OFFSET_OUT_OF_RANGE', origin: 'broker', operation: 'admin', count: 1 },
    ]);
  });

  it('69 GROUP_ID_NOT_FOUND: deleting a group that never existed', async () => {
    const c = client();
    const error = await withAdmin(c.kafka, (admin) => rejection(admin.deleteGroups([uniqueName('never')])));
    expect((error as Error).name).toBe('KafkaJSDeleteGroupsError');
    expect(await c.responseErrors()).toEqual([{ code: 69, api: 'DeleteGroups', count: 1 }]);
    expect(await c.operationErrors()).toEqual([
      { code: 69, type: 'GROUP_ID_NOT_FOUND', origin: 'broker', operation: 'admin', count: 1 },
    ]);
  });

  it('68 NON_EMPTY_GROUP: deleting a group with a live member', async () => {
    const topic = uniqueName('live-group');
    const groupId = uniqueName('live-group');
    await createTopics([{ topic }]);
    const consumer = setupKafka().consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({ eachMessage: async () => undefined });
    await joined;
    try {
      const c = client();
      const error = await withAdmin(c.kafka, (admin) => rejection(admin.deleteGroups([groupId])));
      expect((error as Error).name).toBe('KafkaJSDeleteGroupsError');
      expect(await c.responseErrors()).toEqual([{ code: 68, api: 'DeleteGroups', count: 1 }]);
      expect(await c.operationErrors()).toEqual([
        { code: 68, type: 'NON_EMPTY_GROUP', origin: 'broker', operation: 'admin', count: 1 },
      ]);
    } finally {
      await consumer.disconnect();
    }
  });
});
