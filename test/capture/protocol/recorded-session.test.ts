// Replays the bytes of a real kafkajs 2.2.4 session with a real Kafka broker (scripts/record-wire-session.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createConnectionTap } from '../../../src/capture/protocol/connection-tap.js';
import { memoryRecorder } from '../memory-recorder.js';

interface Fixture {
  recordedWith: { kafka: string; kafkajs: string };
  expected: { responses: Record<string, number>; errors: Record<string, number>; undecodable: string[] };
  connections: { label: string; requests: string; responses: string }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/kafkajs-session.json', import.meta.url), 'utf8'),
) as Fixture;
const connections = fixture.connections.map((c) => ({
  requests: Buffer.from(c.requests, 'base64'),
  responses: Buffer.from(c.responses, 'base64'),
}));

/** Feeds each connection's bytes in chunks of `step` bytes (0: whole), requests before responses. */
function replay(step: number) {
  const recorder = memoryRecorder();
  for (const c of connections) {
    const tap = createConnectionTap(
      { clientId: 'replay', host: 'localhost', port: 9092 },
      {
        recorder,
        topicLabel: true,
        isKnownCode: () => true,
        maxFrameBytes: 1 << 20,
        maxPendingRequests: 1024,
        onFailure: (kind) => recorder.captureFailure(kind),
      },
    );
    const feed = (bytes: Buffer, into: (chunk: Buffer) => void) => {
      const size = step === 0 ? bytes.length : step;
      for (let at = 0; at < bytes.length; at += size) into(bytes.subarray(at, at + size));
    };
    feed(c.requests, (chunk) => tap.onRequestBytes(chunk));
    feed(c.responses, (chunk) => tap.onResponseBytes(chunk));
  }
  return recorder;
}

describe(`a recorded kafkajs ${fixture.recordedWith.kafkajs} session with Kafka ${fixture.recordedWith.kafka}`, () => {
  it.each([0, 1, 7, 1000])('decodes to what was recorded live (chunks of %i bytes)', (step) => {
    const recorder = replay(step);
    expect(recorder.responseCounts()).toEqual(fixture.expected.responses);
    expect(recorder.errorCounts()).toEqual(fixture.expected.errors);
    expect([...recorder.undecodable, ...recorder.failures]).toEqual(fixture.expected.undecodable);
  });

  it('holds the errors kafkajs retries or hides: a missing topic, an existing topic, a wrong password', () => {
    expect(fixture.expected.errors).toMatchObject({
      'Metadata:3': 2,
      'CreateTopics:36': 1,
      'DeleteGroups:69': 1,
      'JoinGroup:79': 1,
      'SaslAuthenticate:58': 1,
    });
  });

  it('labels the missing-topic errors with their topic', () => {
    const topics = replay(0)
      .errors.filter((e) => e.code === 3)
      .map((e) => e.topic);
    expect(topics).toEqual(['missing', 'missing']);
  });
});
