import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { instrumentKafkaInstance } from '../../../src/capture/kafkajs/kafka-instance.js';
import { createOperationErrorReporter } from '../../../src/capture/kafkajs/operation-errors.js';
import { createSafeCall } from '../../../src/capture/kafkajs/safe-call.js';
import type { CaptureFailureKind, CaptureRecorder, OperationErrorEvent } from '../../../src/events.js';
import { silentLogger } from '../../../src/logger.js';

type SocketFactory = (options: { host: string; port: number }) => unknown;

function setup(clientId: string | undefined) {
  const operations: OperationErrorEvent[] = [];
  const failures: CaptureFailureKind[] = [];
  const recorder: CaptureRecorder = {
    response() {},
    responseError() {},
    throttle() {},
    requestDuringThrottle() {},
    undecodableFrame() {},
    operationError: (event) => operations.push(event),
    captureFailure: (kind) => failures.push(kind),
  };
  const safeCall = createSafeCall(recorder, silentLogger);
  let learnedClientId = 'unknown';
  const report = createOperationErrorReporter({ recorder, clientId: () => learnedClientId, safeCall });
  const dialled: string[] = [];
  const wrapSocketFactory =
    (factory: unknown, id: string): SocketFactory =>
    (options) => {
      dialled.push(`${id}@${options.host}:${options.port}`);
      return (factory as SocketFactory)(options);
    };
  const kafka = new Kafka({
    ...(clientId === undefined ? {} : { clientId }),
    brokers: ['127.0.0.1:9'],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const restore = instrumentKafkaInstance(kafka, {
    report,
    safeCall,
    wrapSocketFactory,
    onClientId: (id) => (learnedClientId = id),
  });
  return { kafka, restore, operations, failures, dialled, clientId: () => learnedClientId };
}

describe('instrumentKafkaInstance', () => {
  it.each([
    ['app-7', 'app-7'],
    [undefined, 'kafkajs'],
  ])('learns the client.id %s before any connection', async (configured, expected) => {
    const { clientId, dialled } = setup(configured);
    await new Promise((resolve) => setImmediate(resolve));
    expect(clientId()).toBe(expected);
    expect(dialled).toEqual([]);
  });

  it.each(['producer', 'consumer', 'admin'] as const)(
    'reaches the wire and the application level of a %s created afterwards',
    async (kind) => {
      const { kafka, operations, dialled, failures } = setup('app-7');
      const client =
        kind === 'producer'
          ? kafka.producer()
          : kind === 'consumer'
            ? kafka.consumer({ groupId: 'g' })
            : kafka.admin();
      await client.connect().catch(() => undefined);
      expect(dialled).toEqual(['app-7@127.0.0.1:9']);
      expect(operations).toEqual([{ clientId: 'app-7', operation: 'connect', origin: 'client', code: 13 }]);
      expect(failures).toEqual([]);
    },
  );

  it('leaves clients created after detach untouched', async () => {
    const { kafka, restore, operations, dialled } = setup('app-7');
    restore();
    await kafka
      .producer()
      .connect()
      .catch(() => undefined);
    expect(operations).toEqual([]);
    expect(dialled).toEqual([]);
    expect(Object.getOwnPropertyNames(kafka)).not.toContain('producer');
  });

  it('keeps the application level on an object that is not a kafkajs 2 instance, and counts the gap once', async () => {
    const operations: OperationErrorEvent[] = [];
    const failures: CaptureFailureKind[] = [];
    const recorder = {
      operationError: (event: OperationErrorEvent) => operations.push(event),
      captureFailure: (kind: CaptureFailureKind) => failures.push(kind),
    } as unknown as CaptureRecorder;
    const safeCall = createSafeCall(recorder, silentLogger);
    const report = createOperationErrorReporter({ recorder, clientId: 'c', safeCall });
    const failing = { send: () => Promise.reject(new Error('no')) };
    const lookalike = { producer: () => failing };
    instrumentKafkaInstance(lookalike, { report, safeCall, wrapSocketFactory: (f) => f });
    await expect(lookalike.producer().send()).rejects.toThrow('no');
    expect(failures).toEqual(['instrument']);
    expect(operations).toEqual([
      { clientId: 'c', operation: 'send', origin: 'client', code: -1, clientErrorType: 'Error' },
    ]);
  });
});
