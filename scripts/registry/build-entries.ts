// Turns the parsed seed and the hand-kept Kafka facts into registry entries: category, since and upstream view.
import type { ErrorCategory, RegistryEntry, RecoveryPattern, SinceSource } from '../../src/codes/types.js';
import type { Seed, SeedRow } from './parse-seed.js';

/** The shape of `scripts/data/kafka-upstream-facts.json`. */
export interface UpstreamFacts {
  readonly since: {
    readonly verifiedFromCode: number;
    readonly releases: readonly { readonly version: string; readonly highestCode: number }[];
  };
  readonly upstreamRetriable: {
    readonly release: string;
    readonly retriableCodes: readonly number[];
    readonly notes: Readonly<Record<string, string>>;
  };
}

/**
 * The category rule (docs/error-codes.md): fatal = a ❌ code whose recovery means the client instance is unusable (close, (re)initialize,
 * rebootstrap, "fatal"). Derived from the seed's recovery text; the tests pin the result to 45, 47, 49, 52, 59,
 * 90, 105, 129.
 */
const FATAL_RECOVERY = /\b(close|re-?initiali[sz]e|initiali[sz]e|rebootstrap|fatal)\b/i;

/** Builds one entry per seed row, ordered by code. Throws when the facts do not cover a code. */
export function buildEntries(seed: Seed, facts: UpstreamFacts): RegistryEntry[] {
  checkReleases(facts);
  const patterns = new Map<number, RecoveryPattern>();
  for (const code of seed.patterns.metadataRefreshBackoff) patterns.set(code, 'metadata_refresh_backoff');
  for (const code of seed.patterns.groupRejoin) patterns.set(code, 'group_rejoin');
  const upstreamRetriableCodes = new Set(facts.upstreamRetriable.retriableCodes);

  return [...seed.rows]
    .sort((a, b) => a.code - b.code)
    .map((row) => {
      const retriable = row.mark === '✅';
      const { since, sinceSource } = sinceOf(row.code, seed, facts);
      const upstream = upstreamRetriableCodes.has(row.code);
      const differs = upstream !== retriable;
      return {
        code: row.code,
        name: row.name,
        category: categoryOf(row),
        retriable,
        description: row.description,
        recovery: row.recovery,
        section: row.section,
        since,
        sinceSource,
        pattern: patterns.get(row.code) ?? null,
        upstreamRetriable: differs ? upstream : null,
        upstreamNote: differs ? upstreamNote(row, upstream, facts) : null,
      };
    });
}

function categoryOf(row: SeedRow): ErrorCategory {
  if (row.code === 0) return 'success';
  if (row.mark === '✅') return 'retriable';
  return FATAL_RECOVERY.test(row.recovery) ? 'fatal' : 'non_retriable';
}

function sinceOf(
  code: number,
  seed: Seed,
  facts: UpstreamFacts,
): { since: string; sinceSource: SinceSource } {
  if (code >= facts.since.verifiedFromCode) {
    const release = facts.since.releases.find((r) => r.highestCode >= code);
    if (!release) throw new Error(`facts: no release reaches code ${code}`);
    return { since: release.version, sinceSource: 'kafka' };
  }
  const range = seed.versionRanges.find((r) => r.from <= code && code <= r.to);
  if (!range) throw new Error(`seed: no version range covers code ${code}`);
  return { since: range.versions, sinceSource: 'seed' };
}

function upstreamNote(row: SeedRow, upstream: boolean, facts: UpstreamFacts): string {
  const custom = facts.upstreamRetriable.notes[String(row.code)];
  const kafkaView =
    custom ??
    (upstream
      ? `Kafka treats ${row.name} as retriable (its exception extends RetriableException).`
      : `Kafka does not treat ${row.name} as retriable (its exception does not extend RetriableException).`);
  const seedView = upstream ? 'non-retriable' : 'retriable';
  return `${kafkaView} (Apache Kafka ${facts.upstreamRetriable.release}.) The seed marks it ${seedView}; the registry keeps the seed's flag.`;
}

/** Releases must be in order and never lower the highest code, or `since` would be ambiguous. */
function checkReleases(facts: UpstreamFacts): void {
  let previous = -Infinity;
  for (const release of facts.since.releases) {
    if (release.highestCode < previous) {
      throw new Error(`facts: release ${release.version} lowers the highest code to ${release.highestCode}`);
    }
    previous = release.highestCode;
  }
}
