// `serve --help`, derived from the option table: every option serve uses, with its flag, variable, key and default.
import { defaultOf, OPTION_TABLE } from './option-table.js';
import type { OptionGroup, OptionSpec } from './option-table.js';
import { formatValue } from './value-types.js';
import { wordWrap as wrap } from './word-wrap.js';

const WIDTH = 100;
const INDENT = 32;

function entry(spec: OptionSpec): string {
  const head = `  ${spec.flag}${spec.arg ? ` ${spec.arg}` : ''}`;
  const facts = [
    spec.type.kind === 'enum' ? `one of ${spec.type.values.join(', ')}` : null,
    `env ${spec.env}`,
    spec.notInFile ? null : `key ${spec.key}`,
    `default ${formatValue(spec.type, defaultOf(spec))}`,
    spec.entryPoints.includes('zero-code') ? null : 'serve only',
  ].filter((fact) => fact !== null);
  const body = [...wrap(spec.description, WIDTH - INDENT), ...wrap(`(${facts.join(', ')})`, WIDTH - INDENT)];
  const pad = ' '.repeat(INDENT);
  const first = head.length < INDENT - 1 ? `${head.padEnd(INDENT)}${body[0]}` : `${head}\n${pad}${body[0]}`;
  return [first, ...body.slice(1).map((line) => `${pad}${line}`)].join('\n');
}

/** The full text of `kafka-error-exporter serve --help`. */
export function renderServeHelp(): string {
  const groups = new Map<OptionGroup, OptionSpec[]>();
  const used = OPTION_TABLE.filter((spec) => spec.entryPoints.includes('serve'));
  for (const spec of used) groups.set(spec.group, [...(groups.get(spec.group) ?? []), spec]);
  const sections = [...groups].map(([group, specs]) => `${group}:\n${specs.map(entry).join('\n')}`);
  return [
    'Usage: kafka-error-exporter serve [options]',
    '',
    ...wrap(
      'Runs the exporter as its own process: an HTTP server with /metrics (Prometheus text or OpenMetrics, by the Accept header), /healthz, /readyz, /codes (the error-code registry as JSON) and a landing page at /.',
      WIDTH,
    ),
    '',
    ...wrap(
      'Every option is a flag, an environment variable, or a key of the --config file. Precedence: flags, then environment variables, then the file, then the defaults. Booleans: --topic-label, --no-topic-label, --topic-label=false.',
      WIDTH,
    ),
    '',
    ...wrap(
      'Zero-code mode (node --import kafka-error-exporter/register) reads the same environment variables and file, except those of the options marked "serve only": it ignores such a variable, with a warning, and refuses such a file key.',
      WIDTH,
    ),
    '',
    ...sections.flatMap((section) => [section, '']),
    `${'  -h, --help'.padEnd(INDENT)}Show this help.`,
    '',
    ...wrap(
      'Exit codes: 0 after a clean shutdown on SIGTERM or SIGINT; 1 on a runtime failure; 2 on a configuration error (an unknown option, key or variable, a bad value, an unreadable file, a port in use).',
      WIDTH,
    ),
    '',
  ].join('\n');
}
