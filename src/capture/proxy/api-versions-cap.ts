// Caps the ApiVersions response to what the proxy can read, so that client and broker never agree on a
// version the proxy would have to pass blind.
//
// Each API key the broker offers is intersected with the proxy's range for it; keys the proxy does not know,
// and ranges with nothing in common, are removed. Everything after the ApiKeys array (throttle time, the
// feature tagged fields) is copied as it is. ApiVersions responses always use response header v0 (KIP-511).
// Layout: Kafka's ApiVersionsResponse.json, versions 0-4.
import { WireReader, WireWriter } from './kafka-wire.js';
import type { VersionRange } from '../protocol/version-range.js';

/** The highest ApiVersions version whose response layout this module knows. */
export const API_VERSIONS_MAX_VERSION = 4;
const API_VERSIONS_KEY = 18;
const UNSUPPORTED_VERSION = 35;

/** Version ranges the proxy lets through, by API key. */
export type VersionCaps = ReadonlyMap<number, VersionRange>;

/** What capping changed, for the proxy's self-metrics. */
export interface CapOutcome {
  readonly frame: Buffer;
  /** API keys removed because the proxy cannot read any of their versions. */
  readonly removed: number;
  /** API keys whose range was narrowed. */
  readonly narrowed: number;
}

/**
 * The answer a broker gives to an ApiVersions request of a version it does not know: v0 with
 * UNSUPPORTED_VERSION and the ApiVersions range, so that the client retries with a version in it.
 */
function unsupportedVersion(correlationId: number): CapOutcome {
  const w = new WireWriter();
  w.int32(correlationId);
  w.int16(UNSUPPORTED_VERSION);
  w.int32(1);
  w.int16(API_VERSIONS_KEY);
  w.int16(0);
  w.int16(API_VERSIONS_MAX_VERSION);
  return { frame: w.toFrame(), removed: 0, narrowed: 0 };
}

/**
 * Caps one ApiVersions response frame.
 * @param frame the whole frame, size prefix included.
 * @param requestVersion the version of the request it answers.
 * @throws WireError when the bytes do not fit the layout.
 */
export function capApiVersions(frame: Buffer, requestVersion: number, caps: VersionCaps): CapOutcome {
  const r = new WireReader(frame, 4, frame.length);
  const correlationId = r.int32();
  const errorCode = r.int16();
  // A broker answers a version it does not know with v0 (and UNSUPPORTED_VERSION).
  const version = errorCode === UNSUPPORTED_VERSION ? 0 : requestVersion;
  // A newer broker accepted a version whose layout we cannot read: answer as a broker that does not know it.
  if (version > API_VERSIONS_MAX_VERSION) return unsupportedVersion(correlationId);
  const flexible = version >= 3;
  const w = new WireWriter();
  w.raw(frame, 4, r.pos);
  const count = r.arrayLength(flexible);
  const kept: { key: number; min: number; max: number; tags: Buffer }[] = [];
  let removed = 0;
  let narrowed = 0;
  for (let i = 0; i < count; i++) {
    const key = r.int16();
    const min = r.int16();
    const max = r.int16();
    const tagStart = r.pos;
    if (flexible) r.skipTaggedFields();
    const tags = frame.subarray(tagStart, r.pos);
    const cap = caps.get(key);
    const low = cap === undefined ? 1 : Math.max(min, cap.min);
    const high = cap === undefined ? 0 : Math.min(max, cap.max);
    if (low > high) {
      removed++;
      continue;
    }
    if (low !== min || high !== max) narrowed++;
    kept.push({ key, min: low, max: high, tags });
  }
  w.arrayLength(kept.length, flexible);
  for (const entry of kept) {
    w.int16(entry.key);
    w.int16(entry.min);
    w.int16(entry.max);
    w.raw(entry.tags);
  }
  w.raw(frame, r.pos, frame.length);
  return { frame: w.toFrame(), removed, narrowed };
}
