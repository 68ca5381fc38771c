// Acceptance: consumer group churn on the real broker; kafkajs absorbs these errors by rejoining.
import type { Consumer } from 'kafkajs';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { describeWithKafka, uniqueName } from '../support/kafka-env.js';
import {
  createTopics,
  instrumentedClient,
  rejection,
  setupKafka,
  warmUpGroupCoordinator,
} from './scenario-support.js';
import type { InstrumentedClient } from './scenario-support.js';

const open: InstrumentedClient[] = [];
const consumers: Consumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.disconnect().catch(() => undefined)));
  for (const c of open.splice(0)) c.handle.detach();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a consumer of `topic` in `groupId` and resolves with its member id once it has joined. */
async function joined(consumer: Consumer, topic: string, eachMessage: () => Promise<void>): Promise<string> {
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const join = new Promise<string>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, (event) => resolve(event.payload.memberId)),
  );
  await consumer.run({ eachMessage });
  return join;
}

async function scenario() {
  const topic = uniqueName('churn');
  const groupId = uniqueName('churn');
  // One partition: one fetcher, so one heartbeat at a time (kafkajs heartbeats from each fetch loop).
  await createTopics([{ topic, numPartitions: 1 }]);
  const c = instrumentedClient();
  open.push(c);
  return { topic, groupId, c };
}

describeWithKafka('consumer group churn', () => {
  beforeAll(warmUpGroupCoordinator);

  it('27 REBALANCE_IN_PROGRESS: a second member joins, the first learns it from its heartbeat', async () => {
    const { topic, groupId, c } = await scenario();
    const first = c.kafka.consumer({ groupId, heartbeatInterval: 100, maxWaitTimeInMs: 100 });
    await joined(first, topic, async () => undefined);
    const rejoined = new Promise((resolve) => first.on(first.events.GROUP_JOIN, resolve));
    const second = setupKafka().consumer({ groupId, maxWaitTimeInMs: 100 });
    await joined(second, topic, async () => undefined);
    await rejoined;
    // 79 MEMBER_ID_REQUIRED: the first JoinGroup of a new member (KIP-394), answered by rejoining at once.
    expect(await c.responseErrors()).toEqual([
      { code: 27, api: 'Heartbeat', count: 1 },
      { code: 79, api: 'JoinGroup', count: 1 },
    ]);
    expect(await c.operationErrors()).toEqual([]);
  });

  it('25 UNKNOWN_MEMBER_ID: a member blocked past its session timeout is expelled, then rejoins', async () => {
    const { topic, groupId, c } = await scenario();
    let blocked = false;
    // A session of 2.5 s: a loaded machine's pauses do not expel the member before the block, which lasts three
    // sessions so that the expulsion surely happens during it.
    const member = c.kafka.consumer({
      groupId,
      sessionTimeout: 2500,
      rebalanceTimeout: 2500,
      heartbeatInterval: 100,
      maxWaitTimeInMs: 100,
    });
    await joined(member, topic, async () => {
      if (blocked) return;
      blocked = true;
      await sleep(7500);
    });
    const rejoined = new Promise((resolve) => member.on(member.events.GROUP_JOIN, resolve));
    const producer = setupKafka().producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ partition: 0, value: 'slow' }] });
    await producer.disconnect();
    await rejoined;
    // Its next heartbeat is refused; kafkajs forgets the member id and joins anew (79 again).
    expect(await c.responseErrors()).toEqual([
      { code: 25, api: 'Heartbeat', count: 1 },
      { code: 79, api: 'JoinGroup', count: 2 },
    ]);
    expect(await c.operationErrors()).toEqual([]);
  });

  it('22 ILLEGAL_GENERATION: a commit carrying a stale generation of a live member', async () => {
    const { topic, groupId, c } = await scenario();
    const member = c.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const memberId = await joined(member, topic, async () => undefined);
    // A zombie's commit: the live member's id with generation 0, before the group's first (1). kafkajs's
    // consumer always commits with its current generation, so the zombie speaks through the instrumented
    // client's own cluster (its private builder), on a connection the wire capture watches.
    const createCluster = Object.getOwnPropertySymbols(c.kafka).find(
      (s) => s.description === 'private:Kafka:createCluster',
    )!;
    const cluster = (c.kafka as unknown as Record<symbol, (o: object) => ZombieCluster>)[createCluster]!({});
    await cluster.connect();
    try {
      const coordinator = await cluster.findGroupCoordinator({ groupId });
      const error = await rejection(
        coordinator.offsetCommit({
          groupId,
          groupGenerationId: 0,
          memberId,
          topics: [{ topic, partitions: [{ partition: 0, offset: '0' }] }],
        }),
      );
      expect((error as { type?: string }).type).toBe('ILLEGAL_GENERATION');
    } finally {
      await cluster.disconnect();
    }
    expect(await c.responseErrors()).toEqual([
      { code: 22, api: 'OffsetCommit', count: 1 },
      { code: 79, api: 'JoinGroup', count: 1 },
    ]);
    expect(await c.operationErrors()).toEqual([]);
  });
});

interface ZombieCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(options: { groupId: string }): Promise<{
    offsetCommit(request: object): Promise<unknown>;
  }>;
}
