// Command-line flags of `serve` → raw option values, by the option table. Values are validated later.
import { ConfigError, quoteValue } from './config-error.js';
import { OPTION_TABLE } from './option-table.js';
import type { OptionSpec } from './option-table.js';
import { suggest } from './suggest.js';

/** One raw value and where it came from. */
export interface RawValue {
  readonly spec: OptionSpec;
  readonly raw: unknown;
  readonly where: string;
}

export interface ParsedArgv {
  readonly help: boolean;
  readonly values: readonly RawValue[];
}

const BY_FLAG = new Map(OPTION_TABLE.map((spec) => [spec.flag, spec]));

function unknownFlag(flag: string): ConfigError {
  const hint = suggest(flag, [...BY_FLAG.keys(), '--help']);
  return new ConfigError(
    flag,
    `unknown option ${quoteValue(flag)}${hint ? ` (did you mean ${hint}?)` : ''}; see serve --help`,
  );
}

/**
 * Reads `--flag value`, `--flag=value`, boolean switches (`--topic-label`, `--no-topic-label`,
 * `--topic-label=false`) and `-h`/`--help`. A repeatable flag collects its values into an array.
 * @throws ConfigError for an unknown flag, a missing value or a positional argument.
 */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true, values: [] };
  const values: RawValue[] = [];
  const repeated = new Map<OptionSpec, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      throw new ConfigError(
        arg,
        `unexpected argument ${quoteValue(arg)}: serve takes only options; see serve --help`,
      );
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const negated = name.startsWith('--no-') ? BY_FLAG.get(`--${name.slice(5)}`) : undefined;
    if (negated?.type.kind === 'boolean' && inline === undefined) {
      values.push({ spec: negated, raw: false, where: name });
      continue;
    }
    const spec = BY_FLAG.get(name);
    if (!spec) throw unknownFlag(name);
    let raw: string;
    if (inline !== undefined) {
      raw = inline;
    } else if (spec.type.kind === 'boolean') {
      raw = 'true';
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new ConfigError(spec.key, `option ${spec.flag} needs a value ${spec.arg}`);
      }
      raw = next;
      i++;
    }
    if (spec.repeatable) {
      const list = repeated.get(spec) ?? [];
      if (list.length === 0) {
        repeated.set(spec, list);
        values.push({ spec, raw: list, where: spec.flag });
      }
      list.push(raw);
    } else {
      values.push({ spec, raw, where: spec.flag });
    }
  }
  return { help: false, values };
}
