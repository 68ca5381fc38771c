// The real-broker scenarios the end-to-end test feeds Prometheus with, each provoked as the acceptance
// scenarios in test/integration/scenarios do, on kafkajs clients instrumented into one exporter.
//
// Errors that a panel shows as a rate repeat a few times over more than a scrape interval: Prometheus's rate()
// sees only increments between two scrapes, never a counter's birth.
import type { Kafka, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SASL_ADMIN, SASL_USERS } from '../../support/kafka/kafka-server-properties.js';
import { setupKafka, rejection } from '../../integration/scenarios/scenario-support.js';
import { saslKafka, uniqueName } from '../../integration/support/kafka-env.js';
import type { ExporterUnderTest } from './exporter-under-test.js';

/** Where the scenarios run. */
export interface ScenarioTarget {
  readonly exporter: ExporterUnderTest;
  /** PLAINTEXT bootstrap addresses. */
  readonly brokers: readonly string[];
  /** SASL_PLAINTEXT/PLAIN bootstrap addresses. */
  readonly saslBrokers: readonly string[];
}

/** Runs `attempt` `times` times, `gapMs` apart. */
async function repeat(times: number, gapMs: number, attempt: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < times; i++) {
    if (i > 0) await sleep(gapMs);
    await attempt(i);
  }
}

async function withProducer<T>(producer: Producer, fn: (p: Producer) => Promise<T>): Promise<T> {
  await producer.connect();
  try {
    return await fn(producer);
  } finally {
    await producer.disconnect();
  }
}

function client(t: ScenarioTarget, clientId: string): Kafka {
  return t.exporter.kafka({ clientId, brokers: [...t.brokers] });
}

/**
 * 47 INVALID_PRODUCER_EPOCH (fatal): a transactional producer is fenced by a second one initialised with the
 * same transactional id (uninstrumented); its commit is rejected. Returns the rejection.
 */
export async function fencedProducer(t: ScenarioTarget, clientId: string, topic: string): Promise<unknown> {
  const transactionalId = uniqueName('e2e-txn');
  const options = { transactionalId, idempotent: true, maxInFlightRequests: 1 };
  return withProducer(client(t, clientId).producer(options), async (fenced) => {
    const transaction = await fenced.transaction();
    await transaction.send({ topic, messages: [{ value: 'before the fence' }] });
    await withProducer(setupKafka().producer(options), async (successor) => {
      await (await successor.transaction()).abort();
    });
    return rejection(transaction.commit());
  });
}

/** 10 MESSAGE_TOO_LARGE (non-retriable, reaches the application): `times` sends above the topic's limit. */
export async function tooLarge(
  t: ScenarioTarget,
  clientId: string,
  topic: string,
  bytes: number,
  times: number,
): Promise<void> {
  await withProducer(client(t, clientId).producer(), (producer) =>
    repeat(times, 1_200, () => rejection(producer.send({ topic, messages: [{ value: 'x'.repeat(bytes) }] }))),
  );
}

/** 3 UNKNOWN_TOPIC_OR_PARTITION (retriable on the wire, then rejected): `times` sends to missing topics. */
export async function missingTopic(t: ScenarioTarget, clientId: string, times: number): Promise<void> {
  await withProducer(client(t, clientId).producer(), (producer) =>
    repeat(times, 1_200, () =>
      rejection(producer.send({ topic: uniqueName('e2e-missing'), messages: [{ value: 'v' }] })),
    ),
  );
}

/**
 * Throttling: sends of `bytes` from a client id under a producer_byte_rate quota (set beforehand); the broker
 * answers each with a throttle time and kafkajs waits it out before the next.
 */
export async function throttledProducer(
  t: ScenarioTarget,
  clientId: string,
  topic: string,
  bytes: number,
  times: number,
): Promise<void> {
  await withProducer(client(t, clientId).producer(), (producer) =>
    repeat(times, 0, () => producer.send({ topic, messages: [{ value: 'y'.repeat(bytes) }] })),
  );
}

/** Normal traffic: a small successful send every `periodMs` until `signal` aborts. Returns how many were sent. */
export async function steadyProducer(
  t: ScenarioTarget,
  clientId: string,
  topic: string,
  periodMs: number,
  signal: AbortSignal,
): Promise<number> {
  let sent = 0;
  await withProducer(client(t, clientId).producer(), async (producer) => {
    while (!signal.aborted) {
      await producer.send({ topic, messages: [{ value: `ok ${sent}` }] });
      sent += 1;
      await sleep(periodMs);
    }
  });
  return sent;
}

/** 58 SASL_AUTHENTICATION_FAILED: alice connects with a wrong password. Returns the rejection. */
export async function wrongPassword(t: ScenarioTarget, clientId: string): Promise<unknown> {
  const kafka = t.exporter.kafka({
    clientId,
    brokers: [...t.saslBrokers],
    sasl: { mechanism: 'plain', username: SASL_USERS.alice.username, password: 'not-her-password' },
  });
  const admin = kafka.admin();
  const error = await rejection(admin.connect());
  await admin.disconnect();
  return error;
}

/** 29 TOPIC_AUTHORIZATION_FAILED: alice (no ACLs) produces to a topic the SASL admin created. */
export async function deniedTopic(t: ScenarioTarget, clientId: string): Promise<unknown> {
  const topic = uniqueName('e2e-denied');
  const admin = saslKafka(SASL_ADMIN).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const kafka = t.exporter.kafka({
    clientId,
    brokers: [...t.saslBrokers],
    sasl: { mechanism: 'plain', username: SASL_USERS.alice.username, password: SASL_USERS.alice.password },
  });
  return withProducer(kafka.producer(), (producer) =>
    rejection(producer.send({ topic, messages: [{ value: 'no' }] })),
  );
}
