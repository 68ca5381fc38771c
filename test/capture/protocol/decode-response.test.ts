import { describe, expect, it } from 'vitest';
import { decodeResponse } from '../../../src/capture/protocol/decode-response.js';
import { recordingVisitor } from './recording-visitor.js';
import {
  encodeResponseFrame,
  everyVersion,
  int16,
  int32,
  int64,
  int8,
  len,
  sampleWithErrors,
  str,
  uvarint,
} from './response-encoder.js';

/** Hand-built bodies (after the correlation id), written from the protocol guide, not from the schema table. */
const frame = (...parts: Buffer[]): Buffer => Buffer.concat([int32(42), ...parts]);
const partitionV3 = (index: number, code: number) => [int32(index), int16(code), int64(-1), int64(-1)];
const NO_TAGS = uvarint(0);

describe('decodeResponse on hand-built responses', () => {
  it.each([
    {
      name: 'Produce v3 counts each failed partition once, with its topic, and the throttle time',
      apiKey: 0,
      version: 3,
      body: frame(
        len(2),
        str('orders'),
        len(3),
        ...partitionV3(0, 0),
        ...partitionV3(1, 6),
        ...partitionV3(2, 6),
        str('payments'),
        len(1),
        ...partitionV3(0, 3),
        int32(250),
      ),
      errors: [
        { code: 6, topic: 'orders', message: undefined },
        { code: 6, topic: 'orders', message: undefined },
        { code: 3, topic: 'payments', message: undefined },
      ],
      throttles: [250],
    },
    {
      name: 'Metadata v1 reports top-level topic errors and nested partition errors',
      apiKey: 3,
      version: 1,
      body: frame(
        len(0), // brokers
        int32(-1), // controller id
        len(2),
        int16(3),
        str('missing'),
        int8(0),
        len(0),
        int16(0),
        str('present'),
        int8(0),
        len(1),
        int16(5),
        int32(0),
        int32(-1),
        len(0),
        len(0),
      ),
      errors: [
        { code: 3, topic: 'missing', message: undefined },
        { code: 5, topic: 'present', message: undefined },
      ],
      throttles: [],
    },
    {
      name: 'ApiVersions answers UNSUPPORTED_VERSION (35) in its v0 layout whatever version was asked',
      apiKey: 18,
      version: 2,
      body: frame(int16(35), len(1), int16(18), int16(0), int16(3)),
      errors: [{ code: 35, topic: undefined, message: undefined }],
      throttles: [],
    },
    {
      name: 'ApiVersions v3 is flexible but keeps response header v0',
      apiKey: 18,
      version: 3,
      body: frame(int16(0), len(1, true), int16(0), int16(0), int16(9), NO_TAGS, int32(0), NO_TAGS),
      errors: [],
      throttles: [],
    },
    {
      name: 'CreateTopics v6 reports THROTTLING_QUOTA_EXCEEDED (89) and the throttle time (flexible)',
      apiKey: 19,
      version: 6,
      body: frame(
        NO_TAGS, // response header v1
        int32(1200),
        len(1, true),
        str('quota', true),
        int16(89),
        str('The throttling quota has been exceeded.', true),
        int32(-1),
        int16(-1),
        len(-1, true), // configs: null
        NO_TAGS,
        NO_TAGS,
      ),
      errors: [{ code: 89, topic: 'quota', message: undefined }],
      throttles: [1200],
    },
    {
      name: 'CreateTopics v5 reports the tagged TopicConfigErrorCode and skips unknown tags',
      apiKey: 19,
      version: 5,
      body: frame(
        NO_TAGS,
        int32(0),
        len(1, true),
        str('t', true),
        int16(0),
        str(null, true),
        int32(1),
        int16(1),
        len(0, true),
        uvarint(2),
        uvarint(0),
        uvarint(2),
        int16(29), // tag 0: TopicConfigErrorCode
        uvarint(7),
        uvarint(3),
        Buffer.from([1, 2, 3]), // tag 7: unknown
        NO_TAGS,
      ),
      errors: [{ code: 29, topic: 't', message: undefined }],
      throttles: [],
    },
    {
      name: 'EndTxn v2 reports PRODUCER_FENCED (90)',
      apiKey: 26,
      version: 2,
      body: frame(int32(0), int16(90)),
      errors: [{ code: 90, topic: undefined, message: undefined }],
      throttles: [],
    },
    {
      name: 'InitProducerId v4 reports PRODUCER_FENCED (90) (flexible)',
      apiKey: 22,
      version: 4,
      body: frame(NO_TAGS, int32(0), int16(90), int64(-1), int16(-1), NO_TAGS),
      errors: [{ code: 90, topic: undefined, message: undefined }],
      throttles: [],
    },
    {
      name: 'an unknown code comes with the broker message, a known one without',
      apiKey: 37,
      version: 1,
      body: frame(
        int32(0),
        len(2),
        str('a'),
        int16(4242),
        str('a brand-new failure'),
        str('b'),
        int16(37),
        str('Number of partitions is invalid.'),
      ),
      errors: [
        { code: 4242, topic: 'a', message: 'a brand-new failure' },
        { code: 37, topic: 'b', message: undefined },
      ],
      throttles: [],
    },
    {
      name: 'Fetch v11 skips record payloads by their length and reports partition and top-level errors',
      apiKey: 1,
      version: 11,
      body: frame(
        int32(0),
        int16(0),
        int32(0), // session id
        len(1),
        str('events'),
        len(2),
        int32(0),
        int16(1),
        int64(0),
        int64(0),
        int64(0),
        len(1),
        int64(7),
        int64(0), // one aborted transaction
        int32(-1),
        len(5),
        Buffer.from([0, 3, 0, 3, 0]), // records that look like error codes
        int32(1),
        int16(0),
        int64(0),
        int64(0),
        int64(0),
        len(-1),
        int32(-1),
        len(-1),
      ),
      errors: [{ code: 1, topic: 'events', message: undefined }],
      throttles: [],
    },
  ])('$name', ({ apiKey, version, body, errors, throttles }) => {
    const visitor = recordingVisitor(true, (code) => code === 4242);
    expect(decodeResponse(apiKey, version, body, visitor)).toBe('ok');
    expect(visitor.errors).toEqual(errors);
    expect(visitor.throttles).toEqual(throttles);
  });

  it('leaves topics undecoded unless the topic label is wanted', () => {
    const visitor = recordingVisitor(false);
    const body = frame(len(1), str('orders'), len(1), ...partitionV3(0, 6), int32(0));
    expect(decodeResponse(0, 3, body, visitor)).toBe('ok');
    expect(visitor.errors).toEqual([{ code: 6, topic: undefined, message: undefined }]);
  });

  it.each([
    ['an API key no Kafka release defines', 999, 0, frame(int16(0)), 'unknown_api_key'],
    ['a version the table does not cover', 0, 99, frame(int16(0)), 'unsupported_api_version'],
    ['a frame shorter than its correlation id', 12, 0, Buffer.from([0, 0]), 'truncated'],
    ['a body cut short', 12, 0, frame(Buffer.from([0])), 'truncated'],
    ['bytes after the last field', 12, 0, frame(int16(0), int16(0)), 'malformed'],
    ['a negative array length', 0, 3, frame(int32(-5)), 'malformed'],
    ['an array count beyond the frame', 0, 3, frame(int32(1_000_000)), 'truncated'],
    ['an endless varint', 18, 3, frame(int16(0), Buffer.alloc(8, 0xff)), 'malformed'],
  ])('returns why it cannot decode %s', (_, apiKey, version, body, outcome) => {
    expect(decodeResponse(apiKey, version, body, recordingVisitor())).toBe(outcome);
  });
});

describe('decodeResponse on every API and version of the schema table', () => {
  const cases = everyVersion().map(({ spec, version }) => ({
    name: `${spec.name} v${version}`,
    spec,
    version,
  }));

  it.each(cases)('$name: a response without errors reports none', ({ spec, version }) => {
    const visitor = recordingVisitor();
    expect(
      decodeResponse(spec.apiKey, version, encodeResponseFrame(spec.apiKey, version, 1, {}), visitor, 4),
    ).toBe('ok');
    expect(visitor.errors).toEqual([]);
  });

  it.each(cases)(
    '$name: every error code at every level is reported once, with topic and message; no cut is ok',
    ({ spec, version }) => {
      const { value, errors } = sampleWithErrors(spec, version);
      const bytes = encodeResponseFrame(spec.apiKey, version, 1, value);
      const visitor = recordingVisitor();
      expect(decodeResponse(spec.apiKey, version, bytes, visitor, 4)).toBe('ok');
      const key = (e: { code: number }) => e.code;
      expect([...visitor.errors].sort((a, b) => key(a) - key(b))).toEqual(errors);
      const cutsDecodedOk: number[] = [];
      for (let cut = 4; cut < bytes.length; cut++) {
        if (decodeResponse(spec.apiKey, version, bytes, recordingVisitor(), 4, cut) === 'ok')
          cutsDecodedOk.push(cut);
      }
      expect(cutsDecodedOk).toEqual([]);
    },
  );
});
