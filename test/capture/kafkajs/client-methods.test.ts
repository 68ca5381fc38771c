import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  instrumentAdmin,
  instrumentConsumer,
  instrumentProducer,
} from '../../../src/capture/kafkajs/client-methods.js';
import { createOperationErrorReporter } from '../../../src/capture/kafkajs/operation-errors.js';
import { createSafeCall } from '../../../src/capture/kafkajs/safe-call.js';
import type { CaptureFailureKind, CaptureRecorder, OperationErrorEvent } from '../../../src/events.js';
import { silentLogger } from '../../../src/logger.js';

/** Collects what the capture reports; `throwing` makes every call throw, as a broken recorder would. */
function collectingRecorder(throwing = false) {
  const operations: OperationErrorEvent[] = [];
  const failures: CaptureFailureKind[] = [];
  const recorder: CaptureRecorder = {
    response() {},
    responseError() {},
    throttle() {},
    requestDuringThrottle() {},
    undecodableFrame() {},
    operationError(event) {
      if (throwing) throw new Error('recorder down');
      operations.push(event);
    },
    captureFailure(kind) {
      failures.push(kind);
      if (throwing) throw new Error('recorder down');
    },
  };
  return { recorder, operations, failures };
}

function context(throwing = false) {
  const collected = collectingRecorder(throwing);
  const safeCall = createSafeCall(collected.recorder, silentLogger);
  const report = createOperationErrorReporter({ recorder: collected.recorder, clientId: 'app-1', safeCall });
  return { ...collected, ctx: { report, safeCall } };
}

// Port 9 on loopback: nothing listens, kafkajs gets ECONNREFUSED at once.
const kafka = new Kafka({
  clientId: 'app-1',
  brokers: ['127.0.0.1:9'],
  logLevel: logLevel.NOTHING,
  retry: { retries: 0, initialRetryTime: 10 },
  connectionTimeout: 200,
});

describe('instrumentProducer', () => {
  it('reports a rejected connect as one client-origin NETWORK_EXCEPTION and re-throws the same error', async () => {
    const { ctx, operations } = context();
    const producer = kafka.producer();
    const plain = kafka.producer();
    instrumentProducer(producer, ctx);
    const instrumented = await producer.connect().catch((e: unknown) => e);
    const original = await plain.connect().catch((e: unknown) => e);
    expect(instrumented).toBeInstanceOf(Error);
    expect((instrumented as Error).name).toBe((original as Error).name);
    expect(operations).toEqual([{ clientId: 'app-1', operation: 'connect', origin: 'client', code: 13 }]);
  });

  it.each([
    ['send', 'send'],
    ['sendBatch', 'send_batch'],
  ] as const)('labels a rejected %s as %s', async (method, operation) => {
    const { ctx, operations } = context();
    const producer = kafka.producer();
    instrumentProducer(producer, ctx);
    const call =
      method === 'send'
        ? producer.send({ topic: 't', messages: [{ value: 'v' }] })
        : producer.sendBatch({ topicMessages: [{ topic: 't', messages: [{ value: 'v' }] }] });
    const error = await call.catch((e: unknown) => e);
    expect((error as Error).message).toBe('The producer is disconnected');
    expect(operations).toEqual([
      { clientId: 'app-1', operation, origin: 'client', code: -1, clientErrorType: 'KafkaJSError' },
    ]);
  });

  it('labels a transaction begun without a transactional id as transaction', async () => {
    const { ctx, operations } = context();
    const producer = kafka.producer();
    instrumentProducer(producer, ctx);
    await expect(producer.transaction()).rejects.toThrow('Must provide transactional id');
    expect(operations.map((e) => e.operation)).toEqual(['transaction']);
  });

  it('keeps working and keeps the error identical when the recorder throws on every call', async () => {
    const { ctx, failures } = context(true);
    const producer = kafka.producer();
    instrumentProducer(producer, ctx);
    const thrown = await producer.send({ topic: 't', messages: [{ value: 'v' }] }).catch((e: unknown) => e);
    expect((thrown as Error).message).toBe('The producer is disconnected');
    expect(failures).toEqual(['operation_error']);
  });

  it('restores the original methods', () => {
    const { ctx } = context();
    const producer = kafka.producer();
    const send = producer.send;
    const restore = instrumentProducer(producer, ctx);
    expect(producer.send).not.toBe(send);
    restore();
    expect(producer.send).toBe(send);
  });
});

describe('instrumentConsumer', () => {
  it('reports a rejected connect and subscribe, and nothing for calls that succeed', async () => {
    const { ctx, operations } = context();
    const consumer = kafka.consumer({ groupId: 'g' });
    instrumentConsumer(consumer, ctx);
    await consumer.connect().catch(() => undefined);
    await consumer.disconnect();
    expect(operations.map((e) => [e.operation, e.code])).toEqual([['connect', 13]]);
  });

  it('reports a consumer crash from the CRASH event as consume', async () => {
    const { ctx, operations } = context();
    const consumer = kafka.consumer({
      groupId: 'g',
      retry: { retries: 0, restartOnFailure: async () => false },
    });
    instrumentConsumer(consumer, ctx);
    const crashed = new Promise((resolve) => consumer.on(consumer.events.CRASH, resolve));
    await consumer.run({ eachMessage: async () => undefined });
    await crashed;
    expect(operations).toEqual([{ clientId: 'app-1', operation: 'consume', origin: 'client', code: 13 }]);
    await consumer.disconnect();
  });
});

describe('instrumentAdmin', () => {
  it('labels broker calls admin and lifecycle calls as themselves', async () => {
    const { ctx, operations } = context();
    const admin = kafka.admin({ retry: { retries: 0 } });
    instrumentAdmin(admin, ctx);
    await admin.connect().catch(() => undefined);
    await admin.listTopics().catch(() => undefined);
    expect(operations.map((e) => [e.operation, e.origin, e.code])).toEqual([
      ['connect', 'client', 13],
      ['admin', 'client', 13],
    ]);
  });
});
