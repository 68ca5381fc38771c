// Go-template snippets for alert annotations: where the alert comes from, and the registry's advice for a code.
//
// The recovery advice comes from the exporter's own `kafka_error_code_info` series through the template
// `query` function, so alert expressions stay short and label sets stay small; when the info series is
// missing the text says so instead of failing the alert.
import { METRICS } from '../../src/metrics/names.js';

/** `{{ $labels.name }}`. */
export function label(name: string): string {
  return `{{ $labels.${name} }}`;
}

/** `job=<job>, instance=<instance>` for the labels that identify one exporter. */
export function where(groupBy: readonly string[]): string {
  return groupBy.map((l) => `${l}=${label(l)}`).join(', ');
}

/** Escapes a PromQL selector for a Go-template raw string used as a printf format. */
function formatSafe(selector: string): string {
  if (selector.includes('`')) throw new Error(`Invalid selector (contains a backquote): ${selector}`);
  return selector.replaceAll('%', '%%');
}

/** A template block running `then` (with `.` the info series found) or `otherwise`, for the alert's code. */
function withInfo(selector: string, then: string, otherwise: string): string {
  const matchers = selector === '' ? '' : `${formatSafe(selector)}, `;
  const query = `printf \`${METRICS.errorCodeInfo.name}{${matchers}kafka_error_code=%q}\` $labels.kafka_error_code | query`;
  return `{{ with ${query} }}${then}{{ else }}${otherwise}{{ end }}`;
}

/** The registry's description and recovery advice for the alert's `kafka_error_code`. */
export function advice(selector: string): string {
  return withInfo(
    selector,
    '{{ . | first | label "kafka_error_description" }}. Recovery: {{ . | first | label "kafka_error_recovery" }}.',
    `No ${METRICS.errorCodeInfo.name} series for this code: see the runbook.`,
  );
}

/**
 * The registry name of the alert's code (the runbook anchor), falling back to `error_type`: for errors raised
 * inside the client `error_type` is the client's error class, not a registry name.
 */
export function registryName(selector: string): string {
  return withInfo(selector, '{{ . | first | label "error_type" }}', label('error_type'));
}

/** `<base>/<path>` or the repository-relative `<path>` when no base is set. */
export function runbook(base: string, path: string): string {
  return base === '' ? path : `${base.replace(/\/+$/, '')}/${path}`;
}
