// Acceptance of the broker harness: a real broker that kafkajs can produce to and consume from in a group.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { describeWithKafka, plaintextKafka, uniqueName } from './support/kafka-env.js';

const MESSAGES = 1000;

describeWithKafka('the harness broker (PLAINTEXT)', () => {
  let admin: Admin;

  beforeAll(async () => {
    admin = plaintextKafka().admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
  });

  it('creates a 3-partition topic and round-trips 1,000 messages through a consumer group', async () => {
    const kafka = plaintextKafka();
    const topic = uniqueName('smoke');
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(
      true,
    );
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(meta?.partitions).toHaveLength(3);

    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: MESSAGES }, (_, i) => ({ key: `k${i % 17}`, value: `message-${i}` }));
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    const received: string[] = [];
    const partitions = new Set<number>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          partitions.add(partition);
          received.push(message.value?.toString() ?? '');
          if (received.length === MESSAGES) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();

    expect(received.sort()).toEqual(sent.map((m) => m.value).sort());
    expect([...partitions].sort()).toEqual([0, 1, 2]);
  });
});
