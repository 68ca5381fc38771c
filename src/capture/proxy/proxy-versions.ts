// The API versions the proxy lets a client and a broker agree on: those it can decode, and rewrite where the
// response carries broker addresses.
import { supportedVersions } from '../protocol/response-program.js';
import type { VersionRange } from '../protocol/version-range.js';
import { REWRITTEN_API_MAX_VERSION } from './address-rewrite.js';
import { API_VERSIONS_MAX_VERSION } from './api-versions-cap.js';
import type { VersionCaps } from './api-versions-cap.js';

/**
 * Versions held below the decoder's range because their responses carry broker addresses in places the proxy
 * does not rewrite: KIP-951 `NodeEndpoints` in Fetch v16+ (a Fetch response would have to be held whole), and
 * KIP-932 share fetches. Clients fall back to the highest version left, which every current client supports.
 * APIs whose addresses the proxy rewrites are held to the versions it knows the layout of.
 */
const HELD_BACK: ReadonlyMap<number, number> = new Map([
  [1, 15], // Fetch
  [18, API_VERSIONS_MAX_VERSION], // ApiVersions: the cap itself must read them
  [78, -1], // ShareFetch
  [79, -1], // ShareAcknowledge
  ...REWRITTEN_API_MAX_VERSION,
]);

/** The caps, by API key: the decoder's versions, narrowed as above. */
export function proxyVersionCaps(): VersionCaps {
  const caps = new Map<number, VersionRange>();
  for (const { apiKey, versions } of supportedVersions()) {
    if (versions.length === 0) continue;
    const min = Math.min(...versions);
    const max = Math.min(Math.max(...versions), HELD_BACK.get(apiKey) ?? Infinity);
    if (min <= max) caps.set(apiKey, { min, max });
  }
  return caps;
}
