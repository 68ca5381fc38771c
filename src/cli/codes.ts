// `kafka-error-exporter codes`: the registry as an aligned table or a JSON array, optionally one category only.
import { ERROR_CODES, toErrorCodeJson } from '../codes/registry.js';
import { ERROR_CATEGORIES } from '../codes/types.js';
import type { ErrorCategory, ErrorCodeEntry } from '../codes/types.js';
import { EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, parseCommandArgs } from './command.js';
import type { CliIo } from './command.js';

export const HELP = `Usage: kafka-error-exporter codes [--category <category>] [--json]

Print every Kafka protocol error code the registry knows: code, name, category, retriable, recovery.
docs/error-codes.md explains each code.

Options:
  --category <category>  Only codes of this category: ${ERROR_CATEGORIES.join(', ')}
  --json                 Print a JSON array of entries with the fields code, name, category, retriable,
                         description, recovery, section, since, pattern, upstream (Apache Kafka's differing
                         view of retriability, or null)
  -h, --help             Show this help

${EXIT_CODES_HELP}
`;

const OPTIONS = { category: { type: 'string' }, json: { type: 'boolean' } } as const;

/** Parses a `--category` value; `undefined` when it is not a category. */
export function parseCategory(value: string): ErrorCategory | undefined {
  return (ERROR_CATEGORIES as readonly string[]).includes(value) ? (value as ErrorCategory) : undefined;
}

/** The entries of one category, or all of them. */
export function selectEntries<E extends ErrorCodeEntry>(
  entries: readonly E[],
  category: ErrorCategory | undefined,
): E[] {
  return category === undefined ? [...entries] : entries.filter((e) => e.category === category);
}

/** An aligned table, one line per code, sized to its contents (about 110 columns for the whole registry). */
export function formatCodesTable(entries: readonly ErrorCodeEntry[]): string {
  const rows = [
    ['CODE', 'NAME', 'CATEGORY', 'RETRIABLE', 'RECOVERY'],
    ...entries.map((e) => [String(e.code), e.name, e.category, String(e.retriable), e.recovery || '-']),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    [
      row[0]!.padStart(widths[0]!),
      ...row.slice(1, 4).map((cell, i) => cell.padEnd(widths[i + 1]!)),
      row[4]!,
    ].join('  '),
  );
  return `${lines.join('\n')}\n`;
}

/** A JSON array of the entries in their public form (see toErrorCodeJson). */
export function formatCodesJson(entries: readonly ErrorCodeEntry[]): string {
  return `${JSON.stringify(entries.map(toErrorCodeJson), null, 2)}\n`;
}

/** Runs `codes` with the arguments after the command name. */
export function run(args: readonly string[], io: CliIo): number {
  const parsed = parseCommandArgs(args, OPTIONS);
  if (!parsed.ok) return usage(io, parsed.message);
  if (parsed.positionals.length > 0) return usage(io, `unexpected argument "${parsed.positionals[0]}"`);
  let category: ErrorCategory | undefined;
  if (typeof parsed.values['category'] === 'string') {
    category = parseCategory(parsed.values['category']);
    if (category === undefined) {
      return usage(
        io,
        `invalid category "${parsed.values['category']}": expected one of ${ERROR_CATEGORIES.join(', ')}`,
      );
    }
  }
  const entries = selectEntries(ERROR_CODES, category);
  io.out(parsed.values['json'] === true ? formatCodesJson(entries) : formatCodesTable(entries));
  return EXIT_OK;
}

function usage(io: CliIo, message: string): number {
  io.err(`kafka-error-exporter codes: ${message}\nRun kafka-error-exporter codes --help for usage.\n`);
  return EXIT_USAGE;
}
