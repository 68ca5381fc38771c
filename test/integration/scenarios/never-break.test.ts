// Acceptance: the instrumentation never changes what the application sees, even when recording fails on every
// call; and the configuration form of instrument() captures the wire through kafkajs's public socketFactory.
import { Kafka, logLevel } from 'kafkajs';
import type { Kafka as KafkaType } from 'kafkajs';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { instrument } from '../../../src/exporter/instrument.js';
import type { CaptureRecorder } from '../../../src/events.js';
import { describeWithKafka, kafkaEnv, uniqueName } from '../support/kafka-env.js';
import { createTopics, parseExposition } from './scenario-support.js';

/** A recorder whose every method throws, counting the calls it refused. */
function explodingRecorder() {
  const calls: Record<string, number> = {};
  const explode = (name: string) => (): never => {
    calls[name] = (calls[name] ?? 0) + 1;
    throw new Error(`recorder.${name} exploded`);
  };
  const recorder: CaptureRecorder = {
    response: explode('response'),
    responseError: explode('responseError'),
    throttle: explode('throttle'),
    requestDuringThrottle: explode('requestDuringThrottle'),
    operationError: explode('operationError'),
    captureFailure: explode('captureFailure'),
    undecodableFrame: explode('undecodableFrame'),
  };
  return { recorder, calls };
}

function newKafka(): KafkaType {
  return new Kafka({
    clientId: uniqueName('never-break'),
    brokers: [...kafkaEnv().brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 50 },
  });
}

/** A produce that fails, a produce that succeeds, and a consumer reading the topic back. */
async function workload(kafka: KafkaType, topic: string) {
  const producer = kafka.producer();
  await producer.connect();
  const failed = await producer.send({ topic: uniqueName('missing'), messages: [{ value: 'lost' }] }).then(
    () => undefined,
    (error: Error & { cause?: Error & { type?: string } }) => ({
      name: error.name,
      causeType: error.cause?.type,
    }),
  );
  const values = ['a', 'b', 'c'];
  const sent = await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: uniqueName('never-break'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message.value?.toString() ?? '');
        if (received.length === values.length) resolve();
      },
    });
  });
  await consumer.disconnect();
  return { failed, sent: sent.map((r) => ({ errorCode: r.errorCode, partition: r.partition })), received };
}

describeWithKafka('never break the application', () => {
  it('produces, fails and consumes exactly as uninstrumented when the recorder throws on every call', async () => {
    const plainTopic = uniqueName('plain');
    const brokenTopic = uniqueName('broken');
    await createTopics([{ topic: plainTopic }, { topic: brokenTopic }]);
    const plain = await workload(newKafka(), plainTopic);

    const { recorder, calls } = explodingRecorder();
    const kafka = newKafka();
    const handle = instrument(kafka, { recorder });
    const broken = await workload(kafka, brokenTopic);
    handle.detach();

    expect(broken).toEqual(plain);
    expect(plain.failed).toEqual({
      name: 'KafkaJSNumberOfRetriesExceeded',
      causeType: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    expect(plain.received).toEqual(['a', 'b', 'c']);
    // Every hook was reached, threw, and the exception stayed with us.
    expect(calls.response).toBeGreaterThan(0);
    expect(calls.responseError).toBeGreaterThan(0);
    expect(calls.operationError).toBe(1);
    expect(calls.captureFailure).toBeGreaterThan(0);
  });

  it('instrument(config) captures the wire through the public socketFactory option', async () => {
    const registry = new Registry();
    const clientId = uniqueName('config-form');
    const config = instrument(
      {
        clientId,
        brokers: [...kafkaEnv().brokers],
        logLevel: logLevel.NOTHING,
        retry: { retries: 1, initialRetryTime: 50 },
      },
      { registry },
    );
    expect(typeof config.socketFactory).toBe('function');
    expect(Object.keys(config)).not.toContain('detach');
    const producer = new Kafka(config).producer();
    await producer.connect();
    await producer.send({ topic: uniqueName('missing'), messages: [{ value: 'v' }] }).catch(() => undefined);
    await producer.disconnect();
    const samples = parseExposition(await registry.metrics()).filter(
      (s) => s.labels.messaging_client_id === clientId,
    );
    const errors = samples.filter((s) => s.name === 'kafka_client_response_errors_total');
    expect(errors.map((s) => [s.labels.kafka_error_code, s.labels.kafka_api_name, s.value])).toEqual([
      ['3', 'Metadata', 2],
    ]);
    // A configuration cannot reach the clients the instance creates: no application-level series.
    expect(samples.filter((s) => s.name === 'kafka_client_operation_errors_total')).toEqual([]);
    config.detach();
    expect(
      await registry.getSingleMetricAsString('kafka_client_response_errors_total').catch(() => 'gone'),
    ).toBe('gone');
  });
});
