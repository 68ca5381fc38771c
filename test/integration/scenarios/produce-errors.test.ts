// Acceptance: produce errors provoked on the real broker, counted on the wire and at the application.
import { afterEach, expect, it } from 'vitest';
import { describeWithKafka, uniqueName } from '../support/kafka-env.js';
import { createTopics, instrumentedClient, rejection } from './scenario-support.js';
import type { InstrumentedClient } from './scenario-support.js';

const open: InstrumentedClient[] = [];
function client(...args: Parameters<typeof instrumentedClient>): InstrumentedClient {
  const c = instrumentedClient(...args);
  open.push(c);
  return c;
}
afterEach(() => {
  for (const c of open.splice(0)) c.handle.detach();
});

describeWithKafka('produce errors', () => {
  it('3 UNKNOWN_TOPIC_OR_PARTITION: retried silently on the wire, one rejected send', async () => {
    const c = client();
    const producer = c.kafka.producer();
    await producer.connect();
    const error = await rejection(
      producer.send({ topic: uniqueName('missing'), messages: [{ value: 'v' }] }),
    );
    await producer.disconnect();
    expect((error as Error).name).toBe('KafkaJSNumberOfRetriesExceeded');
    // Wire: the Metadata response of each of the 3 attempts (retries: 2) carried the topic's error.
    expect(await c.responseErrors()).toEqual([{ code: 3, api: 'Metadata', count: 3 }]);
    // Application: one rejected call, the broker's code.
    expect(await c.operationErrors()).toEqual([
      { code: 3, type: 'UNKNOWN_TOPIC_OR_PARTITION', origin: 'broker', operation: 'send', count: 1 },
    ]);
  });

  it.each([
    {
      code: 10,
      type: 'MESSAGE_TOO_LARGE',
      how: 'a message above the topic max.message.bytes',
      configEntries: [{ name: 'max.message.bytes', value: '1024' }],
      acks: -1,
      message: { value: 'x'.repeat(4096) },
    },
    {
      code: 21,
      type: 'INVALID_REQUIRED_ACKS',
      how: 'acks 2',
      configEntries: [],
      acks: 2,
      message: { value: 'v' },
    },
    {
      code: 32,
      type: 'INVALID_TIMESTAMP',
      how: 'a timestamp an hour before the topic allows',
      configEntries: [{ name: 'message.timestamp.before.max.ms', value: '60000' }],
      acks: -1,
      message: { value: 'v', timestamp: String(Date.now() - 3_600_000) },
    },
  ])('$code $type ($how): one Produce error on the wire, one rejected send', async (row) => {
    const topic = uniqueName(`produce-${row.code}`);
    await createTopics([{ topic, configEntries: row.configEntries }]);
    const c = client();
    const producer = c.kafka.producer();
    await producer.connect();
    await rejection(producer.send({ topic, acks: row.acks, messages: [row.message] }));
    await producer.disconnect();
    expect(await c.responseErrors()).toEqual([{ code: row.code, api: 'Produce', count: 1 }]);
    expect(await c.operationErrors()).toEqual([
      { code: row.code, type: row.type, origin: 'broker', operation: 'send', count: 1 },
    ]);
  });

  it('counts each failed partition of one produce once (2 of 3 partitions too large)', async () => {
    const topic = uniqueName('partial');
    await createTopics([
      { topic, numPartitions: 3, configEntries: [{ name: 'max.message.bytes', value: '1024' }] },
    ]);
    const c = client();
    const producer = c.kafka.producer();
    await producer.connect();
    await rejection(
      producer.sendBatch({
        topicMessages: [
          {
            topic,
            messages: [
              { partition: 0, value: 'x'.repeat(4096) },
              { partition: 1, value: 'y'.repeat(4096) },
              { partition: 2, value: 'fits' },
            ],
          },
        ],
      }),
    );
    await producer.disconnect();
    // kafkajs throws only the first failing partition's error; the wire sees both.
    expect(await c.responseErrors()).toEqual([{ code: 10, api: 'Produce', count: 2 }]);
    expect(await c.operationErrors()).toEqual([
      { code: 10, type: 'MESSAGE_TOO_LARGE', origin: 'broker', operation: 'send_batch', count: 1 },
    ]);
    expect((await c.responses()).Produce).toBe(1);
  });
});
