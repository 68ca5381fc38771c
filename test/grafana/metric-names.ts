// Finds the metric names a PromQL expression or a Grafana variable query selects, for the dashboard lint.
import { METRICS } from '../../src/metrics/names.js';

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** The metric names the expression selects (not functions, keywords, labels, or durations). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.$])[a-zA-Z_:][\w:]*/g)) {
    const rest = bare.slice(m.index + m[0].length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** The metric a `label_values(metric{...}, label)` variable query reads, or none for a custom list. */
export function variableMetric(query: string): string[] {
  const m = /^label_values\(\s*([a-zA-Z_:][\w:]*)/.exec(query);
  return m?.[1] === undefined ? [] : [m[1]];
}

/** Every series name the contract exposes: family names, and a histogram's _bucket, _count and _sum. */
export function contractSeriesNames(): Set<string> {
  const names = new Set<string>();
  for (const def of Object.values(METRICS)) {
    if (def.type === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(def.name + s);
    else names.add(def.name);
  }
  return names;
}
