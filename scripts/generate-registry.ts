// Generates src/codes/registry.generated.ts and docs/error-codes.md from the seed and the hand-kept Kafka facts.
// Usage: tsx scripts/generate-registry.ts [--check]   (--check: exit 1 when a committed file is out of date)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RegistryEntry } from '../src/codes/types.js';
import { buildEntries } from './registry/build-entries.js';
import type { UpstreamFacts } from './registry/build-entries.js';
import { parseSeed } from './registry/parse-seed.js';
import { renderDocs } from './registry/render-docs.js';
import { renderRegistry } from './registry/render-registry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Inputs, relative to the project root. */
export const SEED_PATH = 'scripts/data/kafka-protocol-error-codes.txt';
export const FACTS_PATH = 'scripts/data/kafka-upstream-facts.json';
/** Outputs, relative to the project root. */
export const REGISTRY_PATH = 'src/codes/registry.generated.ts';
export const DOCS_PATH = 'docs/error-codes.md';

export interface GeneratedFiles {
  readonly entries: readonly RegistryEntry[];
  /** Output path (relative to the project root) → content. */
  readonly files: ReadonlyMap<string, string>;
}

/** Reads the inputs and renders every output in memory (the tests diff this against the committed files). */
export function generate(root: string = ROOT): GeneratedFiles {
  const seed = parseSeed(readFileSync(`${root}/${SEED_PATH}`, 'utf8'));
  const facts = JSON.parse(readFileSync(`${root}/${FACTS_PATH}`, 'utf8')) as UpstreamFacts;
  const entries = buildEntries(seed, facts);
  const sources = {
    upstreamRelease: facts.upstreamRetriable.release,
    verifiedFromCode: facts.since.verifiedFromCode,
  };
  return {
    entries,
    files: new Map([
      [REGISTRY_PATH, renderRegistry(entries)],
      [DOCS_PATH, renderDocs(entries, sources)],
    ]),
  };
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const { files } = generate();
  let stale = 0;
  for (const [path, content] of files) {
    const target = `${ROOT}/${path}`;
    let current: string | null = null;
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      current = null;
    }
    if (current === content) continue;
    if (check) {
      console.error(`${path} is out of date: run npm run generate:registry`);
      stale++;
    } else {
      writeFileSync(target, content);
      console.log(`wrote ${path}`);
    }
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
