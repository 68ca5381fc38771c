// Input series for the promtool rule tests: an exporter's series as the contract names and labels them, with
// names, categories and texts taken from the error-code registry.
import { lookupCode, UNKNOWN_ERROR_NAME } from '../../src/codes/registry.js';
import { METRICS, THROTTLE_BUCKETS_SECONDS, type MetricKey } from '../../src/metrics/names.js';
import type { QueryLabel } from './promql.js';

export type Labels = Partial<Record<QueryLabel, string>>;

export const TARGET = { job: 'shop', instance: 'app-1:9464' } as const;
export const BROKER = { server_address: 'broker-1', server_port: '9092' } as const;

export function render(name: string, labels: Labels | Record<string, string>): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${name}{${body}}`;
}

export function s(
  metric: MetricKey,
  labels: Labels,
  values: string,
  suffix = '',
): { series: string; values: string } {
  return { series: render(METRICS[metric].name + suffix, { ...TARGET, ...labels }), values };
}

/** The codes the fixtures use; names, categories and texts come from the registry. */
export const FIXTURE_CODES = [-1, 6, 10, 13, 29, 47, 58, 90, 129] as const;
/** A code whose info series the fixtures leave out, to show the annotation's fallback. */
export const NO_INFO = '129';

export function entry(code: string) {
  return lookupCode(Number(code));
}

export function errorClass(code: string, type?: string): Labels {
  const e = entry(code);
  if (e === undefined) {
    return {
      kafka_error_code: code,
      error_type: UNKNOWN_ERROR_NAME,
      kafka_error_category: 'non_retriable',
      kafka_error_retriable: 'false',
    };
  }
  return {
    kafka_error_code: code,
    error_type: type ?? e.name,
    kafka_error_category: e.category,
    kafka_error_retriable: String(e.retriable),
  };
}

/** The exporter's registry series for the fixture codes, but for NO_INFO. */
export function info(): { series: string; values: string }[] {
  return FIXTURE_CODES.map(String)
    .filter((code) => code !== NO_INFO)
    .map((code) =>
      s(
        'errorCodeInfo',
        {
          ...errorClass(code),
          kafka_error_recovery: entry(code)?.recovery ?? '',
          kafka_error_description: entry(code)?.description ?? '',
        },
        '1x60',
      ),
    );
}

export function responseError(client: string, api: string, code: string, values: string) {
  return s(
    'responseErrors',
    { ...errorClass(code), kafka_api_name: api, messaging_client_id: client, ...BROKER },
    values,
  );
}

export function operationError(
  client: string,
  op: string,
  origin: string,
  code: string,
  values: string,
  type?: string,
) {
  return s(
    'operationErrors',
    {
      ...errorClass(code, type),
      kafka_error_origin: origin,
      messaging_operation_name: op,
      messaging_client_id: client,
    },
    values,
  );
}

export function responses(client: string, api: string, values: string) {
  return s('responses', { kafka_api_name: api, messaging_client_id: client, ...BROKER }, values);
}

/** Throttle histogram series for `perMinute` throttled responses a minute, each throttled `seconds`. */
export function throttled(client: string, api: string, perMinute: number, seconds: number) {
  const labels: Labels = { kafka_api_name: api, messaging_client_id: client, ...BROKER };
  const grow = `0+${perMinute}x40`;
  const buckets = [...THROTTLE_BUCKETS_SECONDS.map(String), '+Inf'].map((le) =>
    s('throttleTime', { ...labels, le }, le === '+Inf' || Number(le) >= seconds ? grow : '0x40', '_bucket'),
  );
  return [
    ...buckets,
    s('throttleTime', labels, grow, '_count'),
    s('throttleTime', labels, `0+${perMinute * seconds}x40`, '_sum'),
  ];
}

export const runbookCode = (name: string) => `docs/error-codes.md#${name}`;
export const runbookAlert = (alert: string) => `deploy/prometheus/README.md#${alert}`;
export const from = `job=${TARGET.job}, instance=${TARGET.instance}`;
export const target = { ...TARGET };

export function advice(code: string): string {
  const e = entry(code);
  if (e === undefined || code === NO_INFO) {
    return `No ${METRICS.errorCodeInfo.name} series for this code: see the runbook.`;
  }
  return `${e.description}. Recovery: ${e.recovery}.`;
}

export function ratioLabels(record: string, client: string): string {
  return render(record, { ...TARGET, messaging_client_id: client, kafka_error_category: 'retriable' });
}

export function apiLabels(record: string, client: string, api: string): string {
  return render(record, { ...TARGET, messaging_client_id: client, kafka_api_name: api });
}
