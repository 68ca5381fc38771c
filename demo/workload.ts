// The demo's workload: instrumented kafkajs clients that provoke a spread of real broker errors and throttling.
//
//   every round (demo-app)           3 UNKNOWN_TOPIC_OR_PARTITION  produce to a missing topic (retried, then rejected)
//                                    10 MESSAGE_TOO_LARGE         4 KiB into a topic whose max.message.bytes is 1 KiB
//                                    21 INVALID_REQUIRED_ACKS     a send with acks 2
//                                    36 TOPIC_ALREADY_EXISTS      creating a topic that exists (kafkajs resolves false)
//   every 5th round (demo-txn)       47 INVALID_PRODUCER_EPOCH    a second producer with the same transactional id
//                                                                 fences the first, whose commit then fails (fatal)
//   group churn (demo-app, -rival)   27 REBALANCE_IN_PROGRESS     a second member joins and leaves the group
//                                    79 MEMBER_ID_REQUIRED        every first JoinGroup of a member (absorbed by kafkajs)
//   throttling (demo-throttled)      producer_byte_rate 1 KiB/s on its client id: every Produce response throttled
//
// With `proxyBootstrap` (`npm run demo -- --proxy`), demo-app connects through the Kafka protocol proxy instead of
// to the broker, still instrumented in process: its codes are counted twice, by each capture.
// Expected rejections are swallowed; anything unexpected goes to `onProblem`. Nothing here can stop the demo.
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, KafkaConfig, Producer } from 'kafkajs';
import { instrument } from '../src/exporter/instrument.js';
import type { InstrumentationHandle } from '../src/exporter/instrument.js';
import type { CaptureRecorder } from '../src/events.js';
import type { KafkaInstall } from '../test/support/kafka/kafka-install.js';
import { setClientQuota } from '../test/support/kafka/kafka-quota.js';

export interface WorkloadOptions {
  /** `host:port` of a PLAINTEXT listener. */
  readonly bootstrap: string;
  /** `host:port` of a protocol proxy in front of it: demo-app's bootstrap when set. @default none */
  readonly proxyBootstrap?: string;
  /** Every client records into this recorder (the exporter's). */
  readonly recorder: CaptureRecorder;
  /** The jars whose ConfigCommand sets the quota. @default the pinned version's */
  readonly install?: KafkaInstall;
  /** Milliseconds between two rounds of errors. @default 3000 */
  readonly roundMs?: number;
  /** An unexpected failure of a step (not the errors the workload provokes on purpose). */
  readonly onProblem: (step: string, error: unknown) => void;
}

export interface Workload {
  /** The `messaging_client_id` values the workload's clients use. */
  readonly clientIds: readonly string[];
  /** Rounds of errors completed. */
  readonly rounds: () => number;
  /** Stops the loops and disconnects every client, waiting at most `timeoutMs` for each phase. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/** The client ids, which show as `messaging_client_id` in /metrics. */
export const DEMO_CLIENT_IDS = {
  app: 'demo-app',
  rival: 'demo-rival',
  transactions: 'demo-txn',
  throttled: 'demo-throttled',
} as const;

const TOPICS = { orders: 'demo-orders', small: 'demo-small', throttled: 'demo-throttled' } as const;
const GROUP_ID = 'demo-group';
const TRANSACTIONAL_ID = 'demo-transactional-id';
const FENCE_EVERY_ROUNDS = 5;

async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

/** Starts the workload's three loops (errors, group churn, throttling) at once; returns at once. */
export function startWorkload(options: WorkloadOptions): Workload {
  const roundMs = options.roundMs ?? 3000;
  let stopping = false;
  let rounds = 0;
  const wakers = new Set<() => void>();
  const handles: InstrumentationHandle[] = [];
  const clients = new Set<{ disconnect(): Promise<void> }>();

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopping) return resolve();
      const wake = (): void => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  const kafka = (clientId: string, config: Partial<KafkaConfig> = {}): Kafka => {
    const instance = new Kafka({
      clientId,
      brokers: [
        clientId === DEMO_CLIENT_IDS.app ? (options.proxyBootstrap ?? options.bootstrap) : options.bootstrap,
      ],
      logLevel: logLevel.NOTHING,
      ...config,
    });
    handles.push(instrument(instance, { recorder: options.recorder }));
    return instance;
  };
  const track = <T extends { disconnect(): Promise<void> }>(client: T): T => {
    clients.add(client);
    return client;
  };
  /** Disconnects a short-lived client and forgets it, so a long run does not accumulate them. */
  const release = async (client: { disconnect(): Promise<void> }): Promise<void> => {
    await client.disconnect();
    clients.delete(client);
  };

  /** Runs a step that should work; a failure is a problem (unless the demo is stopping). */
  const step = async (name: string, work: () => Promise<unknown>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (error) {
      if (!stopping) options.onProblem(name, error);
      return false;
    }
  };
  /** Awaits a call that is meant to fail: its rejection is the point. */
  const provoke = (work: Promise<unknown>): Promise<unknown> => work.catch(() => undefined);

  // Short retries, so that a retriable error is retried a couple of times and then reaches the application.
  const app = kafka(DEMO_CLIENT_IDS.app, {
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const rival = kafka(DEMO_CLIENT_IDS.rival);
  // Default retries: the first transaction waits for the broker to create its transaction state topic.
  const transactions = kafka(DEMO_CLIENT_IDS.transactions);
  const throttled = kafka(DEMO_CLIENT_IDS.throttled);

  const setup = step('create the demo topics', async () => {
    const admin = track(app.admin());
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: TOPICS.orders, numPartitions: 3 },
        { topic: TOPICS.small, configEntries: [{ name: 'max.message.bytes', value: '1024' }] },
        { topic: TOPICS.throttled },
      ],
    });
    await release(admin);
  });

  async function fence(): Promise<void> {
    const fenced = track(
      transactions.producer({ transactionalId: TRANSACTIONAL_ID, idempotent: true, maxInFlightRequests: 1 }),
    );
    await fenced.connect();
    try {
      const first = await fenced.transaction();
      await first.send({ topic: TOPICS.orders, messages: [{ value: 'before the fence' }] });
      // The same transactional id initialised by another producer bumps the epoch: the first is now a zombie.
      const successor = track(
        rival.producer({ transactionalId: TRANSACTIONAL_ID, idempotent: true, maxInFlightRequests: 1 }),
      );
      await successor.connect();
      await (await successor.transaction()).abort();
      await release(successor);
      await provoke(first.commit());
    } finally {
      await release(fenced);
    }
  }

  async function errorRounds(): Promise<void> {
    if (!(await setup)) return;
    const producer = track(app.producer());
    if (!(await step('connect the producer', () => producer.connect()))) return;
    const admin = track(app.admin());
    if (!(await step('connect the admin client', () => admin.connect()))) return;
    while (!stopping) {
      const round = rounds;
      await step('send orders', () =>
        producer.send({
          topic: TOPICS.orders,
          messages: [0, 1, 2].map((partition) => ({ partition, value: `order ${round}` })),
        }),
      );
      await provoke(producer.send({ topic: `demo-missing-${round}`, messages: [{ value: 'lost' }] }));
      await provoke(producer.send({ topic: TOPICS.small, messages: [{ value: 'x'.repeat(4096) }] }));
      await provoke(producer.send({ topic: TOPICS.orders, acks: 2, messages: [{ value: 'acks 2' }] }));
      await provoke(admin.createTopics({ topics: [{ topic: TOPICS.orders }] }));
      if (round % FENCE_EVERY_ROUNDS === 0 && !stopping) await step('fence a transactional producer', fence);
      rounds += 1;
      await sleep(roundMs);
    }
  }

  function joinedOnce(consumer: Consumer): Promise<void> {
    return new Promise((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
  }

  async function startMember(instance: Kafka, name: string): Promise<Consumer | undefined> {
    const consumer = track(
      instance.consumer({ groupId: GROUP_ID, heartbeatInterval: 500, maxWaitTimeInMs: 500 }),
    );
    const joined = joinedOnce(consumer);
    const ok = await step(name, async () => {
      await consumer.connect();
      await consumer.subscribe({ topic: TOPICS.orders, fromBeginning: true });
      await consumer.run({ eachMessage: async () => undefined });
      await within(joined, 30_000);
    });
    if (ok) return consumer;
    await release(consumer).catch(() => undefined);
    return undefined;
  }

  async function groupChurn(): Promise<void> {
    if (!(await setup)) return;
    if ((await startMember(app, 'start the group member')) === undefined) return;
    while (!stopping) {
      // Each join and each leave makes the coordinator rebalance: the other member hears 27 on its heartbeat.
      const churner = await startMember(rival, 'join the group');
      await sleep(2000);
      if (churner) await step('leave the group', () => release(churner));
      await sleep(5000);
    }
  }

  async function throttling(): Promise<void> {
    if (!(await setup)) return;
    const quota = step('set the producer_byte_rate quota', () =>
      setClientQuota(
        options.bootstrap,
        { clientId: DEMO_CLIENT_IDS.throttled },
        { producer_byte_rate: 1024 },
        options.install ? { install: options.install } : {},
      ),
    );
    if (!(await quota)) return;
    const producer: Producer = track(throttled.producer());
    if (!(await step('connect the throttled producer', () => producer.connect()))) return;
    while (!stopping) {
      // 2 KiB per request against 1 KiB/s: the broker throttles and kafkajs waits before its next request.
      await step('send throttled', () =>
        producer.send({ topic: TOPICS.throttled, messages: [{ value: 'y'.repeat(2048) }] }),
      );
      await sleep(500);
    }
  }

  const loops = [errorRounds(), groupChurn(), throttling()];
  let stopped: Promise<void> | undefined;
  return {
    clientIds: Object.values(DEMO_CLIENT_IDS),
    rounds: () => rounds,
    stop(timeoutMs = 5000) {
      stopped ??= (async () => {
        stopping = true;
        for (const wake of [...wakers]) wake();
        await within(Promise.allSettled(loops), timeoutMs);
        await within(Promise.allSettled([...clients].map((c) => c.disconnect())), timeoutMs);
        for (const handle of handles) handle.detach();
      })();
      return stopped;
    },
  };
}
