// Acceptance: a transactional producer fenced by a second one with the same transactional id.
import { afterEach, beforeAll, expect, it } from 'vitest';
import { describeWithKafka, uniqueName } from '../support/kafka-env.js';
import {
  createTopics,
  instrumentedClient,
  rejection,
  setupKafka,
  warmUpTransactionCoordinator,
} from './scenario-support.js';
import type { InstrumentedClient } from './scenario-support.js';

const open: InstrumentedClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.handle.detach();
});

describeWithKafka('transaction errors', () => {
  beforeAll(warmUpTransactionCoordinator);

  it('47 INVALID_PRODUCER_EPOCH: the fenced producer commits, fatal, one rejected transaction call', async () => {
    const topic = uniqueName('txn');
    const transactionalId = uniqueName('txn-id');
    await createTopics([{ topic }]);
    const c = instrumentedClient();
    open.push(c);

    const fenced = c.kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await fenced.connect();
    const first = await fenced.transaction();
    await first.send({ topic, messages: [{ value: 'before the fence' }] });

    // The same transactional id initialised elsewhere bumps the epoch and fences the first producer.
    const successor = setupKafka().producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await successor.connect();
    const second = await successor.transaction();
    await second.abort();
    await successor.disconnect();

    const error = await rejection(first.commit());
    await fenced.disconnect();
    expect((error as { type?: string }).type).toBe('INVALID_PRODUCER_EPOCH');
    expect(await c.responseErrors()).toEqual([{ code: 47, api: 'EndTxn', count: 1 }]);
    expect(await c.operationErrors()).toEqual([
      { code: 47, type: 'INVALID_PRODUCER_EPOCH', origin: 'broker', operation: 'transaction', count: 1 },
    ]);
    const [series] = (await c.samples()).filter(
      (s) => s.name === 'kafka_client_operation_errors_total' && s.labels.messaging_client_id === c.clientId,
    );
    expect(series?.labels).toMatchObject({ kafka_error_category: 'fatal', kafka_error_retriable: 'false' });
  });
});
