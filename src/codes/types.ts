// The registry's vocabulary: what an error code is classified as (docs/error-codes.md).

export const ERROR_CATEGORIES = ['success', 'retriable', 'non_retriable', 'fatal'] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** Where an entry's `since` comes from: Kafka's own release history, or the seed's coarse range (unverified). */
export type SinceSource = 'kafka' | 'seed';

/** The recovery patterns the seed names for groups of codes. */
export type RecoveryPattern = 'metadata_refresh_backoff' | 'group_rejoin';

/** One registry entry, with the seed's exact texts. */
export interface ErrorCodeEntry {
  readonly code: number;
  readonly name: string;
  readonly category: ErrorCategory;
  /** As the seed marks it (✅ → true); `success` is false. */
  readonly retriable: boolean;
  readonly description: string;
  readonly recovery: string;
  /** The seed's group heading, e.g. `Topic and Partition Errors (3-6)`. */
  readonly section: string;
  /** The Kafka release that introduced the code, e.g. `0.10.1.0`, or the seed's range where unverified. */
  readonly since: string;
  readonly pattern: RecoveryPattern | null;
  /**
   * Apache Kafka's own client view where it differs from the seed: `true` when the code's exception extends
   * RetriableException, `false` when it does not; `null` when Kafka agrees with the seed.
   */
  readonly upstreamRetriable: boolean | null;
  /** A sentence explaining the upstream difference, or `null`. */
  readonly upstreamNote: string | null;
}

/** An entry as the generated registry holds it: the contract's fields plus where `since` comes from. */
export interface RegistryEntry extends ErrorCodeEntry {
  /** `kafka` when `since` was verified against Kafka's per-release error tables, `seed` when it is the seed's range. */
  readonly sinceSource: SinceSource;
}

/** The classification of one code as the sinks label it. Pre-built and frozen for known codes. */
export interface Classification {
  readonly code: number;
  /** The `kafka_error_code` label: the code as a string, or `other` past the unknown-code cap. */
  readonly codeLabel: string;
  /** The `error.type` label: the registry name, or `UNKNOWN_ERROR_CODE`. */
  readonly name: string;
  readonly category: ErrorCategory;
  readonly retriable: boolean;
  /** The `kafka_error_retriable` label: `true` or `false`. */
  readonly retriableLabel: 'true' | 'false';
  readonly known: boolean;
}

/** Classifies codes through the registry, with the user's category overrides applied. Never throws. */
export interface Classifier {
  /** O(1) for known codes. An unknown code is logged once with `errorMessage` and announced to subscribers. */
  classify(code: number, errorMessage?: string): Classification;
  /** Subscribe to the first sighting of each unknown code; returns an unsubscribe function. */
  onUnknownCode(listener: (code: number, errorMessage: string | undefined) => void): () => void;
}
