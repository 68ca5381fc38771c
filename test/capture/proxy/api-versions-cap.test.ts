import { describe, expect, it } from 'vitest';
import { capApiVersions } from '../../../src/capture/proxy/api-versions-cap.js';
import { proxyVersionCaps } from '../../../src/capture/proxy/proxy-versions.js';
import { encodeResponseFrame, int16, int32 } from '../protocol/response-encoder.js';
import type { Value } from '../protocol/response-encoder.js';

const CAPS = new Map([
  [0, { min: 0, max: 9 }],
  [3, { min: 0, max: 13 }],
  [18, { min: 0, max: 4 }],
]);

function response(keys: [number, number, number][], errorCode = 0): Value {
  return {
    ErrorCode: errorCode,
    ApiKeys: keys.map(([ApiKey, MinVersion, MaxVersion]) => ({ ApiKey, MinVersion, MaxVersion })),
    ThrottleTimeMs: 0,
    FinalizedFeaturesEpoch: 5,
  };
}

describe('capApiVersions', () => {
  it.each([0, 1, 2, 3, 4])('intersects each range with the caps and drops unknown keys (v%i)', (version) => {
    const original = encodeResponseFrame(
      18,
      version,
      5,
      response([
        [0, 3, 12],
        [3, 0, 13],
        [18, 0, 4],
        [99, 0, 1],
        [1, 4, 17],
      ]),
    );
    const outcome = capApiVersions(original, version, CAPS);
    expect(outcome.frame).toEqual(
      encodeResponseFrame(
        18,
        version,
        5,
        response([
          [0, 3, 9],
          [3, 0, 13],
          [18, 0, 4],
        ]),
      ),
    );
    expect(outcome).toMatchObject({ removed: 2, narrowed: 1 });
  });

  it('drops a key whose broker range lies above the cap', () => {
    const original = encodeResponseFrame(18, 3, 5, response([[0, 10, 12]]));
    expect(capApiVersions(original, 3, CAPS).frame).toEqual(encodeResponseFrame(18, 3, 5, response([])));
  });

  it('reads an UNSUPPORTED_VERSION answer as v0, whatever version was asked', () => {
    const original = encodeResponseFrame(18, 0, 5, response([[18, 0, 5]], 35));
    expect(capApiVersions(original, 7, CAPS).frame).toEqual(
      encodeResponseFrame(18, 0, 5, response([[18, 0, 4]], 35)),
    );
  });

  it('answers a version it cannot read as a broker that does not know it', () => {
    const unknownLayout = Buffer.concat([int32(8), int32(5), int16(0), int16(0)]);
    const frame = capApiVersions(unknownLayout, 5, CAPS).frame;
    expect(frame).toEqual(encodeResponseFrame(18, 0, 5, response([[18, 0, 4]], 35)));
  });
});

describe('proxyVersionCaps', () => {
  const caps = proxyVersionCaps();
  it('holds back Fetch v16+ (NodeEndpoints in megabyte responses) and share fetches, not Produce', () => {
    expect(caps.get(0)?.max).toBe(13);
    expect(caps.get(1)?.max).toBe(15);
    expect(caps.has(78)).toBe(false);
    expect(caps.has(79)).toBe(false);
  });
  it('lets through what the decoder reads, and the address APIs up to what the rewriter reads', () => {
    expect(caps.get(3)).toEqual({ min: 0, max: 13 });
    expect(caps.get(10)?.max).toBe(6);
    expect(caps.get(60)?.max).toBe(2);
    expect(caps.get(18)?.max).toBe(4);
    expect(caps.get(19)?.max).toBeGreaterThanOrEqual(7);
  });
});
