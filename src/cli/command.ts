// The contract between the CLI's main and each command: a help text and a run function returning an exit code.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** Exit codes shared by every command; each command's --help lists them. */
export const EXIT_OK = 0;
/** A runtime failure: the command was called right but could not do its job. */
export const EXIT_FAILURE = 1;
/** A usage or configuration error: unknown command or option, missing or bad value. */
export const EXIT_USAGE = 2;

/** The exit-code paragraph every help text ends with. */
export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  runtime failure
  2  usage or configuration error (unknown command or option, missing or bad value)`;

/** Where a command writes: standard output and standard error (in-memory strings in tests). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** A command module as main.ts loads it from its command table. */
export interface CommandModule {
  /** The text `<command> --help` prints. */
  readonly HELP: string;
  /** Runs the command on the arguments after its name; resolves to its exit code. Main handles --help. */
  run(args: readonly string[], io: CliIo): number | Promise<number>;
}

/** Parsed flags (no flag takes several values) and positionals, or why the arguments are not usable. */
export type ParsedArgs =
  | {
      readonly ok: true;
      readonly values: Readonly<Record<string, string | boolean | undefined>>;
      readonly positionals: readonly string[];
    }
  | { readonly ok: false; readonly message: string };

/**
 * `node:util` parseArgs in strict mode, with positionals allowed, that returns a usage message instead of
 * throwing on an unknown option or a missing value.
 */
export function parseCommandArgs(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { ok: true, values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
