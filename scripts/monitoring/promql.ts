// PromQL building blocks shared by the rule and dashboard generators: one definition per query shape.
//
// Every metric name comes from src/metrics/names.ts; every label name is type-checked against its table. A
// query shape (an error ratio, a throttled fraction, a count of errors in a window) is written once here and
// rendered in two scopes: the recording and alerting rules (fixed windows, the operator's selector) and the
// Grafana dashboards (`$__rate_interval`, dashboard variables). Dashboards and alerts therefore cannot drift.
import { METRICS, type LabelName, type MetricKey } from '../../src/metrics/names.js';

/** Labels a query may name: the contract's labels, the target labels Prometheus adds, and the bucket `le`. */
export type QueryLabel = LabelName | 'job' | 'instance' | 'le';

/** A label matcher as PromQL writes it. */
export interface Matcher {
  readonly label: QueryLabel;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** `label="value"`. */
export function eq(label: QueryLabel, value: string): Matcher {
  return { label, op: '=', value };
}

/** `label=~"regex"`. */
export function re(label: QueryLabel, value: string): Matcher {
  return { label, op: '=~', value };
}

/** `label!~"regex"`. */
export function nre(label: QueryLabel, value: string): Matcher {
  return { label, op: '!~', value };
}

/** Where a query runs: rules (fixed windows, the operator's selector) or dashboards (Grafana variables). */
export interface QueryScope {
  /** Raw matchers added to every selector of the given family, e.g. `job="payments"` or `job=~"$job"`. */
  filter(metric: MetricKey): readonly string[];
  /** The window of rate(): `5m` in rules, `$__rate_interval` in dashboards. */
  readonly rateWindow: string;
}

/** The histogram series suffixes Prometheus exposes. */
export type HistogramSuffix = '_bucket' | '_count' | '_sum';

function renderMatcher(m: Matcher): string {
  return `${m.label}${m.op}${JSON.stringify(m.value)}`;
}

/** An instant vector selector for a contract family, with the scope's filter and `matchers`. */
export function series(
  scope: QueryScope,
  metric: MetricKey,
  matchers: readonly Matcher[] = [],
  suffix: HistogramSuffix | '' = '',
): string {
  if (suffix !== '' && METRICS[metric].type !== 'histogram') {
    throw new Error(`Metric ${METRICS[metric].name} is not a histogram: no ${suffix} series`);
  }
  const parts = [...scope.filter(metric), ...matchers.map(renderMatcher)];
  const name = METRICS[metric].name + suffix;
  return parts.length === 0 ? name : `${name}{${parts.join(', ')}}`;
}

/** `by (a, b)`; an empty list aggregates everything away. */
export function by(labels: readonly string[]): string {
  return `by (${labels.join(', ')})`;
}

/** `on (a, b)` for vector matching. */
export function on(labels: readonly string[]): string {
  return `on (${labels.join(', ')})`;
}

/** `sum by (groupBy) (inner)`, or `sum(inner)` when nothing is kept. */
export function sum(groupBy: readonly string[], inner: string): string {
  return groupBy.length === 0 ? `sum(${inner})` : `sum ${by(groupBy)} (${inner})`;
}

/** `sum by (groupBy) (rate(selector[window]))`. */
export function sumRate(
  scope: QueryScope,
  metric: MetricKey,
  groupBy: readonly string[],
  matchers: readonly Matcher[] = [],
  suffix: HistogramSuffix | '' = '',
): string {
  return sum(groupBy, `rate(${series(scope, metric, matchers, suffix)}[${scope.rateWindow}])`);
}

/**
 * Errors counted over `window`, by `groupBy`. A counter series is born at its first increment (the exporter
 * creates a labelled series only when an error happens), so `increase()` alone never sees that first error —
 * and a fatal error usually happens once. A series absent `window` ago counts its whole value instead.
 * After a scrape gap longer than `window`, counters already above zero look new for one window.
 */
export function eventsIn(
  scope: QueryScope,
  metric: MetricKey,
  window: string,
  groupBy: readonly string[],
  matchers: readonly Matcher[] = [],
): string {
  const s = series(scope, metric, matchers);
  return sum(groupBy, `(${s} unless ${s} offset ${window}) or increase(${s}[${window}])`);
}

/**
 * Error codes in broker responses per broker response received, by `groupBy` (the denominator's labels) and
 * `errorBy` (labels only errors carry, e.g. the category). One response can carry an error per partition, so
 * the ratio can exceed 1.
 */
export function responseErrorRatio(
  scope: QueryScope,
  groupBy: readonly string[],
  errorBy: readonly string[],
  matchers: readonly Matcher[] = [],
): string {
  const errors = sumRate(scope, 'responseErrors', [...groupBy, ...errorBy], matchers);
  const responses = sumRate(scope, 'responses', groupBy);
  const join =
    errorBy.length === 0 ? (groupBy.length === 0 ? '' : ` ${on(groupBy)}`) : ` ${on(groupBy)} group_left`;
  return `${errors}\n/${join}\n${responses}`;
}

/** Throttled responses per response received, by `groupBy` (docs/metrics.md: the throttle count over responses). */
export function throttledFraction(scope: QueryScope, groupBy: readonly string[]): string {
  const throttled = sumRate(scope, 'throttleTime', groupBy, [], '_count');
  const responses = sumRate(scope, 'responses', groupBy);
  return `${throttled}\n/${groupBy.length === 0 ? '' : ` ${on(groupBy)}`}\n${responses}`;
}

/** The `quantile` of throttle time among throttled responses, by `groupBy`. */
export function throttleQuantile(scope: QueryScope, quantile: number, groupBy: readonly string[]): string {
  return `histogram_quantile(${quantile}, ${sumRate(scope, 'throttleTime', ['le', ...groupBy], [], '_bucket')})`;
}
