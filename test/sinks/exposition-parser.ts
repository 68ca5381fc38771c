// Test helper: parses a Prometheus text exposition into series → value, for comparing two sinks' output.

/** `name{a="1",b="2"}` with labels sorted, minus the labels `ignoreLabel` matches. */
export type SeriesKey = string;

export interface ParsedExposition {
  /** Series key → sample value. */
  readonly samples: Map<SeriesKey, number>;
  /** Family name → type, from `# TYPE` lines. */
  readonly types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses samples and TYPE lines; drops `target_info` and labels matching `ignoreLabel` (default otel_scope_*). */
export function parseExposition(text: string, ignoreLabel: RegExp = /^otel_scope_/): ParsedExposition {
  const samples = new Map<SeriesKey, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (name !== 'target_info') types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`Unparsable sample line: ${line}`);
    const [, name, body = '', value] = match;
    if (name === 'target_info') continue;
    const labels = [...body.matchAll(LABEL)]
      .filter(([, label]) => !ignoreLabel.test(label!))
      .map(([, label, v]) => `${label}="${v}"`)
      .sort();
    samples.set(`${name}{${labels.join(',')}}`, Number(value === '+Inf' ? Infinity : value));
  }
  return { samples, types };
}

/** The family a sample belongs to: its name without a histogram's `_bucket`, `_sum` or `_count`. */
export function familyOf(key: SeriesKey, types: ReadonlyMap<string, string>): string {
  const name = key.slice(0, key.indexOf('{'));
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return types.get(base) === 'histogram' ? base : name;
}
