import { Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createGatedRecorder } from '../../src/capture/kafkajs/gated-recorder.js';
import { instrument } from '../../src/exporter/instrument.js';
import type { CaptureRecorder, OperationErrorEvent } from '../../src/events.js';

const config = {
  clientId: 'unit',
  brokers: ['127.0.0.1:9'],
  logLevel: logLevel.NOTHING,
  retry: { retries: 0 },
};

function collecting() {
  const operations: OperationErrorEvent[] = [];
  const recorder: CaptureRecorder = {
    response() {},
    responseError() {},
    throttle() {},
    requestDuringThrottle() {},
    undecodableFrame() {},
    captureFailure() {},
    operationError: (event) => operations.push(event),
  };
  return { recorder, operations };
}

describe('instrument', () => {
  it('names the missing destination', () => {
    expect(() => instrument(new Kafka(config), {})).toThrow(/registry.*meterProvider.*sinks.*recorder/);
  });

  it('rejects what is neither an instance nor a configuration', () => {
    expect(() => instrument(null as never, { registry: new Registry() })).toThrow(
      /Kafka instance or configuration/,
    );
  });

  it('rejects a maxFrameBytes outside the bounds of --max-frame-bytes at once, for an instance as for a configuration', () => {
    const registry = new Registry();
    for (const maxFrameBytes of [0, -1, 1.5, Number.NaN, 1023, 2 ** 31]) {
      expect(() => instrument(new Kafka(config), { registry, maxFrameBytes })).toThrow(
        `invalid value "${maxFrameBytes}" for maxFrameBytes (instrument()): expected an integer from 1024 to 2147483647`,
      );
      expect(() => instrument(config, { registry, maxFrameBytes })).toThrow(/for maxFrameBytes/);
    }
    expect(registry.getMetricsAsArray()).toEqual([]);
    for (const maxFrameBytes of [1024, 2 ** 31 - 1]) {
      instrument(new Kafka(config), { registry, maxFrameBytes }).detach();
    }
  });

  it('returns a configuration copy with a socketFactory and a hidden handle', () => {
    const registry = new Registry();
    const instrumented = instrument(config, { registry });
    expect(instrumented).not.toBe(config);
    expect(Object.keys(instrumented).sort()).toEqual([...Object.keys(config), 'socketFactory'].sort());
    expect(typeof instrumented.detach).toBe('function');
  });

  it('registers the families into the registry and removes them on detach, so it can instrument again', async () => {
    const registry = new Registry();
    const handle = instrument(new Kafka(config), { registry });
    expect(await registry.metrics()).toContain('# TYPE kafka_client_response_errors_total counter');
    handle.detach();
    handle.detach();
    expect(await registry.metrics()).not.toContain('kafka_client');
    instrument(new Kafka(config), { registry }).detach();
  });

  it('reports a rejected call of a client created after instrumenting, and nothing after detach', async () => {
    const { recorder, operations } = collecting();
    const kafka = new Kafka(config);
    const handle = instrument(kafka, { recorder });
    const producer = kafka.producer();
    await producer.connect().catch(() => undefined);
    expect(operations).toEqual([{ clientId: 'unit', operation: 'connect', origin: 'client', code: 13 }]);
    handle.detach();
    await producer.connect().catch(() => undefined);
    expect(operations).toHaveLength(1);
  });
});

describe('createGatedRecorder', () => {
  it('forwards until closed', () => {
    const { recorder, operations } = collecting();
    const gate = createGatedRecorder(recorder);
    const event: OperationErrorEvent = { clientId: 'c', operation: 'send', origin: 'broker', code: 3 };
    gate.recorder.operationError(event);
    gate.close();
    gate.recorder.operationError(event);
    expect(operations).toEqual([event]);
  });
});
