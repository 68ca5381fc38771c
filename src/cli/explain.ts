// `kafka-error-exporter explain <code|name>`: one registry entry in full, or how an unknown code is classified.
import { createClassifier } from '../codes/classify.js';
import { ERROR_CODES, lookupCode, lookupName, MAX_CODE, MIN_CODE } from '../codes/registry.js';
import type { Classification, RecoveryPattern, RegistryEntry } from '../codes/types.js';
import { wordWrap } from '../config/word-wrap.js';
import { silentLogger } from '../logger.js';
import { EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, parseCommandArgs } from './command.js';
import type { CliIo } from './command.js';

export const HELP = `Usage: kafka-error-exporter explain <code|name>

Explain one Kafka protocol error code: its category and retriable flag, description, recovery, recovery
pattern, when Kafka introduced it, and Apache Kafka's own view where it differs. Names are case-insensitive
(27, REBALANCE_IN_PROGRESS and rebalance_in_progress are the same). A number the registry does not know
prints how the exporter classifies it.

Options:
  -h, --help  Show this help

${EXIT_CODES_HELP}
`;

/** What a query names: a registry entry, a number the registry does not know, or nothing. */
export type ExplainTarget =
  | { readonly kind: 'entry'; readonly entry: RegistryEntry }
  | { readonly kind: 'unknown-code'; readonly classification: Classification }
  | { readonly kind: 'unknown-name'; readonly query: string };

const PATTERN_TEXT: Readonly<Record<RecoveryPattern, string>> = {
  metadata_refresh_backoff: 'refresh metadata, then retry with exponential backoff',
  group_rejoin: 'rejoin the consumer group',
};

/** Resolves a code number (e.g. `27`, `-1`) or a name (case-insensitive). */
export function resolveQuery(query: string): ExplainTarget {
  const text = query.trim();
  if (/^[-+]?\d+$/.test(text)) {
    const code = Number(text);
    const entry = lookupCode(code);
    if (entry !== undefined) return { kind: 'entry', entry };
    // The same classifier the exporter uses, silent: explaining is not a sighting.
    return {
      kind: 'unknown-code',
      classification: createClassifier({ logger: silentLogger }).classify(code),
    };
  }
  const entry = lookupName(text);
  return entry === undefined ? { kind: 'unknown-name', query } : { kind: 'entry', entry };
}

/** Every field of an entry, one per line, long texts wrapped under their value column. */
export function formatEntry(entry: RegistryEntry): string {
  const patternCodes = (pattern: RecoveryPattern): string =>
    ERROR_CODES.filter((e) => e.pattern === pattern)
      .map((e) => e.code)
      .join(', ');
  const fields: [string, string][] = [
    ['code', String(entry.code)],
    ['name', entry.name],
    ['category', entry.category],
    ['retriable', String(entry.retriable)],
    ['description', entry.description],
    ['recovery', entry.recovery || '-'],
    [
      'pattern',
      entry.pattern === null
        ? 'none'
        : `${entry.pattern}: ${PATTERN_TEXT[entry.pattern]} (codes ${patternCodes(entry.pattern)})`,
    ],
    ['section', entry.section],
    [
      'since',
      entry.sinceSource === 'seed'
        ? `${entry.since} (the seed's range; not verified against Kafka's history)`
        : `Kafka ${entry.since}`,
    ],
    ['upstream', entry.upstreamNote ?? "Apache Kafka's client agrees with the seed's retriable flag."],
    ['docs', `docs/error-codes.md#${entry.name}`],
  ];
  return `${entry.name} (${entry.code})\n\n${formatFields(fields)}`;
}

/** How the exporter labels a code the registry does not know. */
export function formatUnknownCode(c: Classification): string {
  const fields: [string, string][] = [
    ['code', String(c.code)],
    ['error.type', c.name],
    ['category', c.category],
    ['retriable', c.retriableLabel],
    [
      'code label',
      c.codeLabel === String(c.code)
        ? `${c.codeLabel} (kafka_error_code; "other" once the cap of distinct unknown codes is reached)`
        : `${c.codeLabel} (not an INT16 error code)`,
    ],
    [
      'exporter',
      c.codeLabel === String(c.code)
        ? 'logs the first sighting of each unknown code with its error_message and announces it to ' +
          'onUnknownCode subscribers; a category override in the configuration applies to it like to any code.'
        : 'warns once about invalid codes and labels them other.',
    ],
  ];
  return (
    `${c.code} is not a code the registry knows (it lists ${MIN_CODE} to ${MAX_CODE}); a newer Kafka release ` +
    `may define it.\n\n${formatFields(fields)}`
  );
}

/** Runs `explain` with the arguments after the command name. */
export function run(args: readonly string[], io: CliIo): number {
  // A negative code such as -1 is a value here, not an option.
  const parsed = parseCommandArgs(
    args.map((a) => (/^-\d+$/.test(a) ? ` ${a}` : a)),
    {},
  );
  if (!parsed.ok) return usage(io, parsed.message);
  if (parsed.positionals.length !== 1) {
    return usage(io, parsed.positionals.length === 0 ? 'missing <code|name>' : 'expected one <code|name>');
  }
  const target = resolveQuery(parsed.positionals[0]!);
  switch (target.kind) {
    case 'entry':
      io.out(formatEntry(target.entry));
      return EXIT_OK;
    case 'unknown-code':
      io.out(formatUnknownCode(target.classification));
      return EXIT_OK;
    case 'unknown-name':
      io.err(
        `kafka-error-exporter explain: unknown error name "${target.query.trim()}": give a code number or one of ` +
          'the names that kafka-error-exporter codes lists.\n',
      );
      return EXIT_USAGE;
  }
}

function usage(io: CliIo, message: string): number {
  io.err(`kafka-error-exporter explain: ${message}\nRun kafka-error-exporter explain --help for usage.\n`);
  return EXIT_USAGE;
}

const LABEL_WIDTH = 13;
const LINE_WIDTH = 100;

function formatFields(fields: readonly [string, string][]): string {
  return fields.map(([label, value]) => `  ${label.padEnd(LABEL_WIDTH)}${wrap(value)}\n`).join('');
}

/** Wraps at word boundaries so that continuation lines start under the value column. */
function wrap(text: string): string {
  const indent = ' '.repeat(LABEL_WIDTH + 2);
  return wordWrap(text, LINE_WIDTH - indent.length).join(`\n${indent}`);
}
