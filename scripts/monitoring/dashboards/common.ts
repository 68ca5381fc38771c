// What the dashboards share: their variables, the query scope that applies them, and fixed uids.
import { ERROR_CATEGORIES } from '../../../src/codes/types.js';
import { METRICS, type LabelName, type MetricKey } from '../../../src/metrics/names.js';
import type { VariableSpec } from '../grafana.js';
import type { QueryScope } from '../promql.js';

/** Fixed dashboard uids: links, provisioning and bookmarks depend on them. */
export const DASHBOARD_UIDS = {
  overview: 'kafka-client-errors',
  throttling: 'kafka-client-throttling',
  errorCode: 'kafka-client-error-code',
} as const;

/** Dashboard variables and the label each one filters. */
export const VARIABLE_LABELS = {
  job: 'job',
  instance: 'instance',
  client_id: 'messaging_client_id',
  api: 'kafka_api_name',
  category: 'kafka_error_category',
  code: 'kafka_error_code',
} as const satisfies Record<string, LabelName | 'job' | 'instance'>;
export type VariableName = keyof typeof VARIABLE_LABELS;

function matcher(variable: VariableName): string {
  return `${VARIABLE_LABELS[variable]}=~"$${variable}"`;
}

const info = METRICS.errorCodeInfo.name;
const responses = METRICS.responses.name;
const target = `${matcher('job')}, ${matcher('instance')}`;

/** The variables of every dashboard: job, instance, client id, API, category (the data source comes first). */
export const COMMON_VARIABLES: readonly VariableSpec[] = [
  // The registry info series exists for every running exporter, even one that has seen no traffic yet.
  { name: 'job', label: 'Job', query: `label_values(${info}, job)` },
  { name: 'instance', label: 'Instance', query: `label_values(${info}{${matcher('job')}}, instance)` },
  {
    name: 'client_id',
    label: 'Client id',
    query: `label_values(${responses}{${target}}, ${VARIABLE_LABELS.client_id})`,
  },
  {
    name: 'api',
    label: 'API',
    query: `label_values(${responses}{${target}, ${matcher('client_id')}}, ${VARIABLE_LABELS.api})`,
  },
  { name: 'category', label: 'Category', query: ERROR_CATEGORIES.filter((c) => c !== 'success') },
];

/** The variables of COMMON_VARIABLES, by name. */
export const COMMON: readonly VariableName[] = ['job', 'instance', 'client_id', 'api', 'category'];

/**
 * The dashboard query scope: each family is filtered by those of `variables` whose label it carries (job and
 * instance always). A fatal-errors stat, say, leaves out `category`.
 */
export function dashboardScope(variables: readonly VariableName[], window = '$__rate_interval'): QueryScope {
  return {
    rateWindow: window,
    filter(metric: MetricKey): string[] {
      const labels: readonly string[] = METRICS[metric].labels;
      return variables
        .filter((v) => v === 'job' || v === 'instance' || labels.includes(VARIABLE_LABELS[v]))
        .map(matcher);
    },
  };
}
