// Property-based fuzzing (fast-check) of everything that reads broker bytes: the response decoder over every
// API/version of the schema table, and the proxy's rewriters. Random, truncated and mutated frames (bytes,
// lengths, array counts, varints): nothing escapes but the documented errors, the input is never changed, and
// no case takes long. FUZZ_RUNS scales the run: 1 (the default, `npm test`) is 105,000 cases, `npm run fuzz` 20x,
// and `npm run check` a tenth for the inner loop.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeResponse } from '../../../src/capture/protocol/decode-response.js';
import type { ResponseVisitor } from '../../../src/capture/protocol/decode-response.js';
import { rewriteAddresses } from '../../../src/capture/proxy/address-rewrite.js';
import type { NodeAddressBook } from '../../../src/capture/proxy/address-rewrite.js';
import { capApiVersions } from '../../../src/capture/proxy/api-versions-cap.js';
import { proxyVersionCaps } from '../../../src/capture/proxy/proxy-versions.js';
import { WireError } from '../../../src/capture/proxy/kafka-wire.js';
import { encodeResponseFrame, everyVersion, sampleWithErrors } from './response-encoder.js';

const SCALE = Math.max(0.01, Number(process.env.FUZZ_RUNS ?? '1') || 1);
/** Bound of one case, for hangs and blow-ups: a slow case is re-run, and only its fastest run counts. */
const SLOW_MS = 50;

const VISITOR: ResponseVisitor = {
  wantsTopic: true,
  wantsMessage: () => true,
  error: () => {},
  throttle: () => {},
};

/** Every API/version of the table with a valid sample frame (size prefix included). */
const SAMPLES = everyVersion().map(({ spec, version }) => ({
  apiKey: spec.apiKey,
  version,
  frame: encodeResponseFrame(spec.apiKey, version, 1, sampleWithErrors(spec, version).value),
}));

/** What to do to a frame's body: byte flips, a cut, a huge length or count, a long varint, inserted bytes. */
type Mutation =
  | { kind: 'flip'; flips: [number, number][] }
  | { kind: 'cut'; at: number }
  | { kind: 'huge'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), byte: fc.constantFrom(0xff, 0x7f, 0x80) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
);

/** `frame` (size prefix included) with `m` applied to its body; the size prefix is left as it was. */
function mutate(frame: Buffer, m: Mutation): Buffer {
  const body = frame.length - 4;
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(frame);
      for (const [at, value] of m.flips) out[4 + (at % body)] = value;
      return out;
    }
    case 'cut':
      return frame.subarray(0, 4 + (m.at % body));
    case 'huge': {
      // A length or count field overwritten with a huge value (int16/int32, or varint continuation bytes).
      const out = Buffer.from(frame);
      const pos = 4 + (m.at % Math.max(1, body - 4));
      out.fill(m.byte, pos, Math.min(out.length, pos + 4));
      return out;
    }
    case 'insert': {
      const pos = 4 + (m.at % body);
      return Buffer.concat([frame.subarray(0, pos), Buffer.from(m.bytes), frame.subarray(pos)]);
    }
  }
}

/** Runs `work` on `input`, checks that the input is unchanged and that it is not slow. */
function guarded(input: Buffer, work: () => void): void {
  const copy = Buffer.from(input);
  let started = performance.now();
  work();
  let took = performance.now() - started;
  // Re-run a slow case: a garbage collection or the other core's load is not the input's fault.
  for (let i = 0; i < 3 && took > SLOW_MS; i++) {
    started = performance.now();
    work();
    took = Math.min(took, performance.now() - started);
  }
  expect(took).toBeLessThan(SLOW_MS);
  expect(input.equals(copy)).toBe(true);
}

const decode = (apiKey: number, version: number, frame: Buffer) =>
  decodeResponse(apiKey, version, frame, VISITOR, 4, frame.length);

describe('fuzzing the response decoder', { timeout: 120_000 }, () => {
  it(`random bodies for every API/version (${SAMPLES.length} schemas)`, () => {
    fc.assert(
      fc.property(fc.nat(SAMPLES.length - 1), fc.uint8Array({ maxLength: 512 }), (i, bytes) => {
        const { apiKey, version } = SAMPLES[i]!;
        const frame = Buffer.concat([Buffer.alloc(4), Buffer.from(bytes)]);
        guarded(frame, () => void decode(apiKey, version, frame));
      }),
      { numRuns: Math.round(40_000 * SCALE) },
    );
  });

  it('mutated valid responses of every API/version', () => {
    fc.assert(
      fc.property(fc.nat(SAMPLES.length - 1), MUTATION, (i, m) => {
        const { apiKey, version } = SAMPLES[i]!;
        const frame = mutate(SAMPLES[i]!.frame, m);
        guarded(frame, () => {
          const outcome = decode(apiKey, version, frame);
          expect(['ok', 'truncated', 'malformed']).toContain(outcome);
        });
      }),
      { numRuns: Math.round(50_000 * SCALE) },
    );
  });
});

const BOOK: NodeAddressBook = {
  proxyAddressOf: (nodeId) => ({ host: 'proxy', port: 20_000 + (nodeId & 0xfff) }),
};
const REWRITTEN = SAMPLES.filter(
  ({ apiKey, version }) => [3, 10, 60].includes(apiKey) || (apiKey === 0 && version >= 10),
);
const API_VERSIONS = SAMPLES.filter(({ apiKey }) => apiKey === 18);
const CAPS = proxyVersionCaps();

/** Rewriters may refuse bytes that do not fit (WireError): never another error, never a wrong size. */
function expectFramedOrRefused(work: () => Buffer): void {
  let out: Buffer;
  try {
    out = work();
  } catch (error) {
    expect(error).toBeInstanceOf(WireError);
    return;
  }
  expect(out.readInt32BE(0)).toBe(out.length - 4);
}

describe('fuzzing the proxy rewriters', { timeout: 120_000 }, () => {
  it(`mutated address-carrying responses (${REWRITTEN.length} API/versions)`, () => {
    fc.assert(
      fc.property(fc.nat(REWRITTEN.length - 1), MUTATION, (i, m) => {
        const { apiKey, version } = REWRITTEN[i]!;
        const frame = mutate(REWRITTEN[i]!.frame, m);
        guarded(frame, () => expectFramedOrRefused(() => rewriteAddresses(frame, apiKey, version, BOOK)));
      }),
      { numRuns: Math.round(10_000 * SCALE) },
    );
  });

  it('mutated and random ApiVersions responses', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .tuple(fc.nat(API_VERSIONS.length - 1), MUTATION)
            .map(([i, m]) => [i, mutate(API_VERSIONS[i]!.frame, m)] as const),
          fc.tuple(
            fc.nat(API_VERSIONS.length - 1),
            fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.concat([Buffer.alloc(4), Buffer.from(b)])),
          ),
        ),
        ([i, frame]) => {
          const { version } = API_VERSIONS[i]!;
          guarded(frame, () => expectFramedOrRefused(() => capApiVersions(frame, version, CAPS).frame));
        },
      ),
      { numRuns: Math.round(5_000 * SCALE) },
    );
  });
});
