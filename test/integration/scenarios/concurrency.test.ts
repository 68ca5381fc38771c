// Exact counts under concurrency: eight producers send at once, each causing a known number of a known error;
// wire and application counters match exactly, per client (and, through the proxy, the proxy's too).
import { afterEach, expect, it } from 'vitest';
import { describeWithKafka, uniqueName } from '../support/kafka-env.js';
import { createTopics, instrumentedClient, rejection } from './scenario-support.js';
import type { InstrumentedClient } from './scenario-support.js';

const open: InstrumentedClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.handle.detach();
});

const PRODUCERS = 8;

describeWithKafka('exact counts under concurrency', () => {
  it('eight producers in parallel, producer i causing 3 + i MESSAGE_TOO_LARGE and INVALID_REQUIRED_ACKS each', async () => {
    const topic = uniqueName('concurrent');
    await createTopics([
      { topic, numPartitions: 4, configEntries: [{ name: 'max.message.bytes', value: '1024' }] },
    ]);
    const clients = Array.from({ length: PRODUCERS }, () => instrumentedClient());
    open.push(...clients);
    await Promise.all(
      clients.map(async (c, i) => {
        const producer = c.kafka.producer();
        await producer.connect();
        const failures = Array.from({ length: 3 + i }, (_, n) => [
          rejection(producer.send({ topic, messages: [{ partition: n % 4, value: 'x'.repeat(4096) }] })),
          rejection(producer.send({ topic, acks: 2, messages: [{ partition: n % 4, value: 'ok' }] })),
        ]).flat();
        // Good sends interleaved with the bad ones, on the same connections.
        const good = Array.from({ length: 5 }, () => producer.send({ topic, messages: [{ value: 'fits' }] }));
        await Promise.all([...failures, ...good]);
        await producer.disconnect();
      }),
    );
    for (const [i, c] of clients.entries()) {
      const n = 3 + i;
      expect(await c.responseErrors(), c.clientId).toEqual([
        { code: 10, api: 'Produce', count: n },
        { code: 21, api: 'Produce', count: n },
      ]);
      expect(await c.operationErrors(), c.clientId).toEqual([
        { code: 10, type: 'MESSAGE_TOO_LARGE', origin: 'broker', operation: 'send', count: n },
        { code: 21, type: 'INVALID_REQUIRED_ACKS', origin: 'broker', operation: 'send', count: n },
      ]);
    }
  });
});
