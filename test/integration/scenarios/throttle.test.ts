// Acceptance: broker quotas throttle a producer and a consumer; the histogram observes the broker's times.
import { afterEach, expect, it } from 'vitest';
import { setClientQuota } from '../../support/kafka/kafka-quota.js';
import { describeWithKafka, kafkaEnv, uniqueName } from '../support/kafka-env.js';
import { createTopics, instrumentedClient, setupKafka } from './scenario-support.js';
import type { InstrumentedClient } from './scenario-support.js';

const open: InstrumentedClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.handle.detach();
});

const RECORDS = 4;
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describeWithKafka('throttling', () => {
  it('observes every throttle_time_ms of the producer_byte_rate and consumer_byte_rate quotas', async () => {
    const [bootstrap] = kafkaEnv().brokers;
    const clientId = uniqueName('throttled');
    const produceTopic = uniqueName('throttled-produce');
    const fetchTopic = uniqueName('throttled-fetch');
    await createTopics([{ topic: produceTopic }, { topic: fetchTopic }]);
    // Each fetch must stay below quota × window (2 s), or the broker never lets it through: 600-byte
    // records, one per batch, fetched at most 1 KiB at a time.
    const feeder = setupKafka().producer();
    await feeder.connect();
    for (let i = 0; i < 6; i += 1)
      await feeder.send({ topic: fetchTopic, messages: [{ value: 'y'.repeat(600) }] });
    await feeder.disconnect();
    await setClientQuota(bootstrap!, { clientId }, { producer_byte_rate: 1024, consumer_byte_rate: 1024 });
    const c = instrumentedClient({ clientId });
    open.push(c);

    // 4 KiB per request against 1 KiB/s: throttled from the first or second request on.
    const producer = c.kafka.producer();
    await producer.connect();
    for (let i = 0; i < 2; i += 1) {
      await producer.send({ topic: produceTopic, messages: [{ value: 'x'.repeat(4096) }] });
    }
    await producer.disconnect();
    const produced = [...c.kafkajsThrottleMs];

    const consumer = c.kafka.consumer({
      groupId: uniqueName('throttled'),
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 1024,
      maxBytes: 1024,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: fetchTopic, fromBeginning: true });
    let received = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async () => {
          received += 1;
          if (received === RECORDS) resolve();
        },
      });
    });
    await consumer.disconnect();
    const fetched = c.kafkajsThrottleMs.slice(produced.length);

    // kafkajs applies each throttle_time_ms it reads (KIP-219 versions) and logs it: the same observations.
    const throttle = await c.throttle();
    expect(produced.length).toBeGreaterThan(0);
    expect(fetched.length).toBeGreaterThan(0);
    expect(Object.keys(throttle).sort()).toEqual(['Fetch', 'Produce']);
    expect(throttle.Produce!.count).toBe(produced.length);
    expect(throttle.Produce!.sum).toBeCloseTo(sum(produced) / 1000, 6);
    expect(throttle.Fetch!.count).toBe(fetched.length);
    expect(throttle.Fetch!.sum).toBeCloseTo(sum(fetched) / 1000, 6);
    // Throttling is not an error (79: the consumer's first JoinGroup, KIP-394).
    expect(await c.responseErrors()).toEqual([{ code: 79, api: 'JoinGroup', count: 1 }]);
    expect(await c.operationErrors()).toEqual([]);
  });
});
