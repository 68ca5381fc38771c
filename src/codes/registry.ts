// Lookups over the generated error-code registry: by code (an array index) and by name.
import { MAX_CODE, MIN_CODE, REGISTRY_BY_INDEX } from './registry.generated.js';
import type { ErrorCodeEntry, RegistryEntry } from './types.js';

export { MAX_CODE, MIN_CODE, REGISTRY_BY_INDEX };

/** The `error.type` of a code the registry does not know. */
export const UNKNOWN_ERROR_NAME = 'UNKNOWN_ERROR_CODE';

/** Every registry entry, ordered by code. */
export const ERROR_CODES: readonly RegistryEntry[] = Object.freeze(
  REGISTRY_BY_INDEX.filter((entry): entry is RegistryEntry => entry !== undefined),
);

const BY_NAME: ReadonlyMap<string, RegistryEntry> = new Map(ERROR_CODES.map((entry) => [entry.name, entry]));

/** The entry for `code`, or `undefined` when the registry does not know it. O(1): an array index. */
export function lookupCode(code: number): RegistryEntry | undefined {
  if (!Number.isInteger(code) || code < MIN_CODE || code > MAX_CODE) return undefined;
  return REGISTRY_BY_INDEX[code - MIN_CODE];
}

/** The entry named `name` (case-insensitive, e.g. `rebalance_in_progress`), or `undefined`. */
export function lookupName(name: string): RegistryEntry | undefined {
  return BY_NAME.get(name.trim().toUpperCase());
}

/** An entry as the CLI's `codes --json` and the `/codes` endpoint publish it (field names as in docs/error-codes.md). */
export interface ErrorCodeJson {
  readonly code: number;
  readonly name: string;
  readonly category: ErrorCodeEntry['category'];
  readonly retriable: boolean;
  readonly description: string;
  readonly recovery: string;
  readonly section: string;
  readonly since: string;
  readonly pattern: ErrorCodeEntry['pattern'];
  /** Apache Kafka's differing view (the upstream note), or `null` when Kafka agrees with the seed. */
  readonly upstream: string | null;
}

/** The public JSON form of an entry. */
export function toErrorCodeJson(entry: ErrorCodeEntry): ErrorCodeJson {
  return {
    code: entry.code,
    name: entry.name,
    category: entry.category,
    retriable: entry.retriable,
    description: entry.description,
    recovery: entry.recovery,
    section: entry.section,
    since: entry.since,
    pattern: entry.pattern,
    upstream: entry.upstreamNote,
  };
}
