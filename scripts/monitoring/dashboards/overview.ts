// The overview dashboard: error rates by category, fatal and non-retriable counts, the top error codes with
// the registry's advice, errors by API, client and broker, and the error ratio to responses.
import { METRICS } from '../../../src/metrics/names.js';
import { dashboard, type PanelSpec } from '../grafana.js';
import { eq, eventsIn, on, responseErrorRatio, sumRate } from '../promql.js';
import { COMMON, COMMON_VARIABLES, DASHBOARD_UIDS, dashboardScope } from './common.js';

const scope = dashboardScope(COMMON);
/** Stats that name a category ignore the category variable. */
const anyCategory = dashboardScope(COMMON.filter((v) => v !== 'category'));
const RED_FROM_ONE = [
  { color: 'green', value: null },
  { color: 'red', value: 1 },
];

function rateBy(title: string, description: string, labels: string[], legend: string): PanelSpec {
  return {
    type: 'timeseries',
    title,
    description,
    unit: 'cps',
    w: 8,
    h: 8,
    queries: [{ expr: sumRate(scope, 'responseErrors', labels), legend }],
  };
}

/** The top codes over the dashboard range, joined with the registry's name, category and advice. */
function topCodes(): string {
  const top = `topk(10, ${eventsIn(scope, 'responseErrors', '$__range', ['kafka_error_code', 'error_type', 'kafka_error_category'])} > 0)`;
  const advice = ['kafka_error_recovery', 'kafka_error_description'];
  const info = `max by (kafka_error_code, ${advice.join(', ')}) (${METRICS.errorCodeInfo.name}{${scope.filter('errorCodeInfo').join(', ')}})`;
  // Unknown codes have no info series: `or` keeps them, without advice.
  return `${top}\n* ${on(['kafka_error_code'])} group_left (${advice.join(', ')})\n${info}\nor ${on(['kafka_error_code'])}\n${top}`;
}

const RENAME = {
  kafka_error_code: 'Code',
  error_type: 'Name',
  kafka_error_category: 'Category',
  kafka_error_recovery: 'Recovery',
  kafka_error_description: 'Description',
  Value: 'Errors',
};

/** The overview dashboard JSON. */
export function overviewDashboard(): Record<string, unknown> {
  return dashboard({
    uid: DASHBOARD_UIDS.overview,
    title: 'Kafka client errors',
    description:
      'Every Kafka protocol error code the clients saw, retried or not, from kafka-error-exporter.',
    tags: ['kafka', 'kafka-error-exporter'],
    variables: COMMON_VARIABLES,
    links: [
      { title: 'Kafka client throttling', uid: DASHBOARD_UIDS.throttling },
      { title: 'Kafka error code', uid: DASHBOARD_UIDS.errorCode },
    ],
    rows: [
      {
        title: 'Now',
        panels: [
          {
            type: 'stat',
            title: 'Fatal errors',
            description:
              'Fatal error codes in broker responses over the dashboard range (the category variable does not ' +
              'apply). Each one leaves a client instance unusable until it is closed and recreated.',
            unit: 'short',
            w: 6,
            h: 4,
            noValue: '0',
            thresholds: RED_FROM_ONE,
            queries: [
              {
                expr: eventsIn(
                  anyCategory,
                  'responseErrors',
                  '$__range',
                  [],
                  [eq('kafka_error_category', 'fatal')],
                ),
                instant: true,
              },
            ],
          },
          {
            type: 'stat',
            title: 'Non-retriable errors reaching the application',
            description:
              'Non-retriable errors the client returned to the application (rejected calls, consumer crashes) ' +
              'over the dashboard range; the category variable does not apply.',
            unit: 'short',
            w: 6,
            h: 4,
            noValue: '0',
            thresholds: RED_FROM_ONE,
            queries: [
              {
                expr: eventsIn(
                  anyCategory,
                  'operationErrors',
                  '$__range',
                  [],
                  [eq('kafka_error_category', 'non_retriable')],
                ),
                instant: true,
              },
            ],
          },
          {
            type: 'stat',
            title: 'Errors reaching the application',
            description: 'All errors the client returned to the application over the dashboard range.',
            unit: 'short',
            w: 6,
            h: 4,
            noValue: '0',
            queries: [{ expr: eventsIn(scope, 'operationErrors', '$__range', []), instant: true }],
          },
          {
            type: 'stat',
            title: 'Error codes per response',
            description:
              'Error codes in broker responses per response received, now. A response can carry one error per ' +
              'partition, so this can exceed 100%.',
            unit: 'percentunit',
            w: 6,
            h: 4,
            queries: [{ expr: responseErrorRatio(scope, [], []) }],
          },
        ],
      },
      {
        title: 'Error rates by category',
        panels: [
          {
            type: 'timeseries',
            title: 'Response errors by category',
            description: 'Error codes in broker responses per second, retried or not, by category.',
            unit: 'cps',
            w: 8,
            h: 8,
            queries: [
              {
                expr: sumRate(scope, 'responseErrors', ['kafka_error_category']),
                legend: '{{kafka_error_category}}',
              },
            ],
          },
          {
            type: 'timeseries',
            title: 'Errors reaching the application by category',
            description: 'Errors returned to the application per second, by category.',
            unit: 'cps',
            w: 8,
            h: 8,
            queries: [
              {
                expr: sumRate(scope, 'operationErrors', ['kafka_error_category']),
                legend: '{{kafka_error_category}}',
              },
            ],
          },
          {
            type: 'timeseries',
            title: 'Error ratio to responses by category',
            description: 'Error codes in broker responses per response received, by category.',
            unit: 'percentunit',
            w: 8,
            h: 8,
            queries: [
              {
                expr: responseErrorRatio(scope, [], ['kafka_error_category']),
                legend: '{{kafka_error_category}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Top error codes',
        panels: [
          {
            type: 'table',
            title: 'Top error codes',
            description:
              `The ten error codes seen most in broker responses over the dashboard range, with the registry ` +
              `name, category and recovery advice from ${METRICS.errorCodeInfo.name}. Click a name to drill down.`,
            unit: 'none',
            w: 24,
            h: 9,
            queries: [{ expr: topCodes(), instant: true, format: 'table' }],
            transformations: [
              { id: 'organize', options: { excludeByName: { Time: true }, renameByName: RENAME } },
            ],
            options: { showHeader: true, sortBy: [{ displayName: 'Errors', desc: true }] },
            overrides: [
              {
                matcher: { id: 'byName', options: 'Name' },
                properties: [
                  {
                    id: 'links',
                    value: [
                      {
                        title: 'Drill down',
                        url: `/d/${DASHBOARD_UIDS.errorCode}?var-code=\${__data.fields.Code}&\${datasource:queryparam}&\${__url_time_range}`,
                      },
                    ],
                  },
                ],
              },
              { matcher: { id: 'byName', options: 'Errors' }, properties: [{ id: 'unit', value: 'short' }] },
            ],
          },
        ],
      },
      {
        title: 'Where the errors come from',
        panels: [
          rateBy(
            'Response errors by API',
            'Error codes per second by Kafka protocol API.',
            ['kafka_api_name'],
            '{{kafka_api_name}}',
          ),
          rateBy(
            'Response errors by client',
            'Error codes per second by Kafka client.id.',
            ['messaging_client_id'],
            '{{messaging_client_id}}',
          ),
          rateBy(
            'Response errors by broker',
            'Error codes per second by the broker that answered.',
            ['server_address', 'server_port'],
            '{{server_address}}:{{server_port}}',
          ),
          {
            type: 'timeseries',
            title: 'Errors reaching the application by operation',
            description: 'Errors returned to the application per second, by client operation and error name.',
            unit: 'cps',
            w: 8,
            h: 8,
            queries: [
              {
                expr: sumRate(scope, 'operationErrors', ['messaging_operation_name', 'error_type']),
                legend: '{{messaging_operation_name}} {{error_type}}',
              },
            ],
          },
          {
            type: 'timeseries',
            title: 'Error ratio to responses by client',
            description: 'Error codes in broker responses per response received, by client.id.',
            unit: 'percentunit',
            w: 8,
            h: 8,
            queries: [
              {
                expr: responseErrorRatio(scope, ['messaging_client_id'], []),
                legend: '{{messaging_client_id}}',
              },
            ],
          },
          {
            type: 'timeseries',
            title: 'Responses by API',
            description: 'Broker responses received per second by API: the denominator of the error ratios.',
            unit: 'reqps',
            w: 8,
            h: 8,
            queries: [
              { expr: sumRate(scope, 'responses', ['kafka_api_name']), legend: '{{kafka_api_name}}' },
            ],
          },
        ],
      },
    ],
  });
}
