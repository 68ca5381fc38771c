import { describe, expect, it } from 'vitest';
import { createConnectionTap } from '../../../src/capture/protocol/connection-tap.js';
import type { ConnectionTapOptions } from '../../../src/capture/protocol/connection-tap.js';
import type { CaptureFailureKind } from '../../../src/events.js';
import { memoryRecorder } from '../memory-recorder.js';
import type { MemoryRecorder } from '../memory-recorder.js';
import { encodeResponseFrame, int16, int32, requestFrame, str } from './response-encoder.js';

const ENDPOINT = Object.freeze({ clientId: 'app', host: 'localhost', port: 9092 });

function tap(overrides: Partial<ConnectionTapOptions> = {}) {
  const recorder = memoryRecorder();
  const failures: CaptureFailureKind[] = [];
  const t = createConnectionTap(ENDPOINT, {
    recorder,
    topicLabel: true,
    isKnownCode: (code) => code < 1000,
    maxFrameBytes: 1 << 20,
    maxPendingRequests: 16,
    onFailure: (kind) => failures.push(kind),
    ...overrides,
  });
  return { tap: t, recorder: (overrides.recorder as MemoryRecorder | undefined) ?? recorder, failures };
}

const produceV7 = (corr: number, partitions: [topic: string, codes: number[]][], throttle = 0) =>
  encodeResponseFrame(0, 7, corr, {
    Responses: partitions.map(([Name, codes]) => ({
      Name,
      PartitionResponses: codes.map((ErrorCode, Index) => ({ Index, ErrorCode })),
    })),
    ThrottleTimeMs: throttle,
  });

/** A kafkajs-like session: ApiVersions, Metadata, a Produce with failed partitions, a JoinGroup error. */
const SESSION = {
  requests: Buffer.concat([
    requestFrame(18, 2, 0),
    requestFrame(3, 6, 1),
    requestFrame(0, 7, 2),
    requestFrame(11, 5, 3),
  ]),
  responses: Buffer.concat([
    encodeResponseFrame(18, 2, 0, { ApiKeys: [{ ApiKey: 0, MaxVersion: 11 }] }),
    encodeResponseFrame(3, 6, 1, { Topics: [{ ErrorCode: 3, Name: 'missing' }] }),
    produceV7(
      2,
      [
        ['orders', [0, 6, 6]],
        ['audit', [0]],
      ],
      40,
    ),
    encodeResponseFrame(11, 5, 3, { ErrorCode: 79 }),
  ]),
  responseCounts: { ApiVersions: 1, Metadata: 1, Produce: 1, JoinGroup: 1 },
  errorCounts: { 'Metadata:3': 1, 'Produce:6': 2, 'JoinGroup:79': 1 },
};

function expectSession(recorder: MemoryRecorder): void {
  expect(recorder.responseCounts()).toEqual(SESSION.responseCounts);
  expect(recorder.errorCounts()).toEqual(SESSION.errorCounts);
  expect(recorder.throttles).toEqual([{ api: 'Produce', ms: 40 }]);
  expect(recorder.undecodable).toEqual([]);
}

describe('createConnectionTap', () => {
  it('reports every response, each error with its topic, and throttle times', () => {
    const { tap: t, recorder, failures } = tap();
    t.onRequestBytes(SESSION.requests);
    t.onResponseBytes(SESSION.responses);
    expectSession(recorder);
    expect(recorder.errors.filter((e) => e.api === 'Produce').map((e) => e.topic)).toEqual([
      'orders',
      'orders',
    ]);
    expect(recorder.responses[0]!.endpoint).toBe(ENDPOINT);
    expect(failures).toEqual([]);
  });

  it.each(['requests', 'responses'] as const)(
    'gives the same counts with the %s split at every byte',
    (side) => {
      const stream = SESSION[side];
      for (let at = 1; at < stream.length; at++) {
        const { tap: t, recorder } = tap();
        const feed = (chunk: Buffer) =>
          side === 'requests' ? t.onRequestBytes(chunk) : t.onResponseBytes(chunk);
        if (side === 'responses') t.onRequestBytes(SESSION.requests);
        feed(stream.subarray(0, at));
        feed(stream.subarray(at));
        if (side === 'requests') t.onResponseBytes(SESSION.responses);
        expectSession(recorder);
      }
    },
  );

  it('matches a response after requests that never get one (Produce with acks=0)', () => {
    const { tap: t, recorder } = tap();
    t.onRequestBytes(Buffer.concat([requestFrame(0, 7, 5), requestFrame(0, 7, 6), requestFrame(3, 6, 7)]));
    t.onResponseBytes(encodeResponseFrame(3, 6, 7, {}));
    expect(recorder.responseCounts()).toEqual({ Metadata: 1 });
    expect(recorder.undecodable).toEqual([]);
  });

  it('counts what it cannot decode and goes on with the next frame', () => {
    const { tap: t, recorder } = tap({ maxFrameBytes: 64 });
    t.onRequestBytes(Buffer.concat([requestFrame(0, 99, 1), requestFrame(1, 11, 2), requestFrame(3, 6, 3)]));
    t.onResponseBytes(
      Buffer.concat([
        encodeResponseFrame(3, 6, 77, {}), // nobody asked
        int32(6),
        int32(1),
        int16(0), // Produce v99: no schema
        encodeResponseFrame(1, 11, 2, { Responses: [{ Topic: 'x'.repeat(80) }] }), // above 64 bytes
        int32(2),
        Buffer.from([0, 0]), // shorter than a correlation id
        encodeResponseFrame(3, 6, 3, { Topics: [{ ErrorCode: 5, Name: 't' }] }),
      ]),
    );
    expect(recorder.undecodable).toEqual([
      'unknown_correlation_id',
      'unsupported_api_version',
      'oversized',
      'truncated',
    ]);
    expect(recorder.responseCounts()).toEqual({ Produce: 1, Fetch: 1, Metadata: 1 });
    expect(recorder.errorCounts()).toEqual({ 'Metadata:5': 1 });
  });

  it('passes the broker message only for codes the registry does not know', () => {
    const { tap: t, recorder } = tap();
    t.onRequestBytes(requestFrame(37, 1, 1));
    t.onResponseBytes(
      encodeResponseFrame(37, 1, 1, {
        Results: [
          { Name: 'a', ErrorCode: 1234, ErrorMessage: 'new in Kafka 9' },
          { Name: 'b', ErrorCode: 37, ErrorMessage: 'known' },
        ],
      }),
    );
    expect(recorder.errors.map(({ code, topic, message }) => ({ code, topic, message }))).toEqual([
      { code: 1234, topic: 'a', message: 'new in Kafka 9' },
      { code: 37, topic: 'b', message: undefined },
    ]);
  });

  it('leaves topics out unless the topic label is on', () => {
    const { tap: t, recorder } = tap({ topicLabel: false });
    t.onRequestBytes(requestFrame(0, 7, 1));
    t.onResponseBytes(produceV7(1, [['orders', [6]]]));
    expect(recorder.errors.map((e) => e.topic)).toEqual([undefined]);
  });

  it('skips bare SASL tokens after SaslHandshake v0 and resumes with the next request', () => {
    const { tap: t, recorder } = tap();
    const plainToken = Buffer.from('\0alice\0secret');
    t.onRequestBytes(requestFrame(17, 0, 4));
    t.onResponseBytes(encodeResponseFrame(17, 0, 4, { Mechanisms: ['PLAIN'] }));
    t.onRequestBytes(Buffer.concat([int32(plainToken.length), plainToken]));
    t.onResponseBytes(int32(0)); // the broker's empty token
    t.onRequestBytes(requestFrame(3, 6, 5));
    t.onResponseBytes(encodeResponseFrame(3, 6, 5, { Topics: [{ ErrorCode: 3, Name: 'x' }] }));
    expect(recorder.responseCounts()).toEqual({ SaslHandshake: 1, Metadata: 1 });
    expect(recorder.errorCounts()).toEqual({ 'Metadata:3': 1 });
    expect(recorder.undecodable).toEqual([]);
  });

  it('decodes SaslAuthenticate frames after SaslHandshake v1', () => {
    const { tap: t, recorder } = tap();
    t.onRequestBytes(Buffer.concat([requestFrame(17, 1, 1), requestFrame(36, 1, 2)]));
    t.onResponseBytes(
      Buffer.concat([
        encodeResponseFrame(17, 1, 1, { Mechanisms: ['PLAIN'] }),
        encodeResponseFrame(36, 1, 2, { ErrorCode: 58, ErrorMessage: 'Authentication failed' }),
      ]),
    );
    expect(recorder.errorCounts()).toEqual({ 'SaslAuthenticate:58': 1 });
  });

  it('counts a failing recorder and keeps recording', () => {
    const recorder = memoryRecorder();
    let calls = 0;
    const flaky = {
      ...recorder,
      responseError: (...args: Parameters<typeof recorder.responseError>) => {
        if (calls++ === 0) throw new Error('sink down');
        recorder.responseError(...args);
      },
    };
    const { tap: t, failures } = tap({ recorder: flaky });
    t.onRequestBytes(SESSION.requests);
    t.onResponseBytes(SESSION.responses);
    expect(failures).toEqual(['record']);
    expect(recorder.errors).toHaveLength(3);
    expect(recorder.responses).toHaveLength(4);
  });

  it('stops watching a connection whose response stream lost its framing', () => {
    const { tap: t, recorder } = tap();
    t.onRequestBytes(requestFrame(3, 6, 1));
    t.onResponseBytes(Buffer.concat([int32(-1), encodeResponseFrame(3, 6, 1, {})]));
    t.onResponseBytes(encodeResponseFrame(3, 6, 1, {}));
    expect(recorder.undecodable).toEqual(['malformed']);
    expect(recorder.responses).toEqual([]);
  });
});

describe('createConnectionTap under fuzzing', () => {
  /** A small deterministic PRNG (mulberry32) so that a failure can be replayed. */
  function random(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const VALID = [
    () => produceV7(0, [['orders', [0, 6]]], 10),
    () => encodeResponseFrame(3, 6, 0, { Topics: [{ ErrorCode: 3, Name: 'missing', Partitions: [{}] }] }),
    () => encodeResponseFrame(19, 5, 0, { Topics: [{ Name: 't', ErrorCode: 36, TopicConfigErrorCode: 29 }] }),
    () =>
      encodeResponseFrame(1, 11, 0, {
        Responses: [{ Topic: 'e', Partitions: [{ Records: Buffer.alloc(40, 7) }] }],
      }),
  ];
  const API = [
    [0, 7],
    [3, 6],
    [19, 5],
    [1, 11],
  ] as const;

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'seed %i: corrupted and truncated responses are each counted, never thrown',
    (seed) => {
      const rand = random(seed);
      const { tap: t, recorder, failures } = tap();
      for (let i = 0; i < 300; i++) {
        const kind = Math.floor(rand() * VALID.length);
        const frame = Buffer.from(VALID[kind]!());
        frame.writeInt32BE(i, 4); // correlation id
        const [apiKey, version] = API[kind]!;
        t.onRequestBytes(requestFrame(apiKey, version, i));
        // Corrupt some bytes of the body, or cut it short while keeping the size prefix consistent.
        const body = frame.subarray(4);
        for (let n = Math.floor(rand() * 4); n > 0; n--)
          body[8 + Math.floor(rand() * (body.length - 8))] = rand() * 256;
        const cut = rand() < 0.3 ? 4 + Math.floor(rand() * (body.length - 4)) : body.length;
        const sent = Buffer.concat([int32(cut), body.subarray(0, cut)]);
        const before = recorder.responses.length;
        for (let at = 0; at < sent.length;) {
          const step = 1 + Math.floor(rand() * 9);
          t.onResponseBytes(sent.subarray(at, at + step));
          at += step;
        }
        expect(recorder.responses.length).toBe(before + 1);
      }
      expect(failures).toEqual([]);
    },
  );

  it.each([11, 12, 13, 14])('seed %i: random bytes in both directions never throw', (seed) => {
    const rand = random(seed);
    const { tap: t, failures } = tap();
    for (let i = 0; i < 200; i++) {
      const chunk = Buffer.alloc(1 + Math.floor(rand() * 64));
      for (let j = 0; j < chunk.length; j++) chunk[j] = rand() * 256;
      if (rand() < 0.5) t.onRequestBytes(chunk);
      else t.onResponseBytes(chunk);
    }
    expect(failures).toEqual([]);
  });

  it('counts every frame of a corrupted stream exactly once: as a response or as undecodable', () => {
    const rand = random(99);
    const { tap: t, recorder } = tap();
    let frames = 0;
    for (let i = 0; i < 500; i++) {
      const kind = Math.floor(rand() * VALID.length);
      const [apiKey, version] = API[kind]!;
      const frame = Buffer.from(VALID[kind]!());
      frame.writeInt32BE(i, 4);
      if (rand() < 0.8) t.onRequestBytes(requestFrame(apiKey, version, i)); // else: an unknown correlation id
      for (let n = Math.floor(rand() * 3); n > 0; n--)
        frame[8 + Math.floor(rand() * (frame.length - 8))] = rand() * 256;
      t.onResponseBytes(frame);
      frames++;
    }
    const noResponse = recorder.undecodable.filter((r) => r === 'unknown_correlation_id').length;
    expect(recorder.responses.length + noResponse).toBe(frames);
  });
});

describe('request heads', () => {
  it('ignores writes that are not Kafka requests', () => {
    const { tap: t, recorder } = tap();
    t.onRequestBytes(
      Buffer.concat([int32(3), Buffer.from('abc'), int32(10), int16(-4), int16(0), int32(1), str('')]),
    );
    t.onResponseBytes(encodeResponseFrame(3, 6, 1, {}));
    expect(recorder.undecodable).toEqual(['unknown_correlation_id']);
  });
});

describe('createConnectionTap throttle compliance', () => {
  it('counts each request sent while a throttle announced on the connection runs, per API', () => {
    const { tap: t, recorder } = tap();
    t.onRequestBytes(requestFrame(0, 7, 1));
    t.onResponseBytes(produceV7(1, [['orders', [0]]], 60_000));
    // A client that does not wait: a Produce and a Metadata right away.
    t.onRequestBytes(Buffer.concat([requestFrame(0, 7, 2), requestFrame(3, 6, 3)]));
    expect(recorder.requestsDuringThrottle).toEqual(['Produce', 'Metadata']);
  });

  it('counts nothing once the throttle has expired, nor before any throttle', async () => {
    const { tap: t, recorder } = tap();
    t.onRequestBytes(requestFrame(0, 7, 1));
    t.onResponseBytes(produceV7(1, [['orders', [0]]], 0));
    t.onRequestBytes(requestFrame(0, 7, 2));
    t.onResponseBytes(produceV7(2, [['orders', [0]]], 5));
    await new Promise((resolve) => setTimeout(resolve, 30));
    t.onRequestBytes(requestFrame(0, 7, 3));
    expect(recorder.requestsDuringThrottle).toEqual([]);
  });

  it('keeps the longest of overlapping throttles', () => {
    const { tap: t, recorder } = tap();
    t.onRequestBytes(Buffer.concat([requestFrame(0, 7, 1), requestFrame(0, 7, 2)]));
    t.onResponseBytes(Buffer.concat([produceV7(1, [['a', [0]]], 60_000), produceV7(2, [['a', [0]]], 1)]));
    t.onRequestBytes(requestFrame(1, 11, 3));
    expect(recorder.requestsDuringThrottle).toEqual(['Fetch']);
  });
});

describe('createConnectionTap throttle grace', () => {
  it('does not count requests within the grace after the throttled response: they may have crossed it', async () => {
    const { tap: t, recorder } = tap({ throttleGraceMs: 20 });
    t.onRequestBytes(requestFrame(0, 7, 1));
    t.onResponseBytes(produceV7(1, [['orders', [0]]], 60_000));
    t.onRequestBytes(requestFrame(0, 7, 2)); // in flight when the response passed
    await new Promise((resolve) => setTimeout(resolve, 40));
    t.onRequestBytes(requestFrame(0, 7, 3)); // after the grace, long before the throttle ends
    expect(recorder.requestsDuringThrottle).toEqual(['Produce']);
  });
});
