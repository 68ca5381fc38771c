// The drill-down dashboard for one error code: its registry entry, and where and how often it happens.
import { METRICS } from '../../../src/metrics/names.js';
import { dashboard, type PanelSpec } from '../grafana.js';
import { eventsIn, responseErrorRatio, sumRate } from '../promql.js';
import { COMMON, COMMON_VARIABLES, DASHBOARD_UIDS, dashboardScope, VARIABLE_LABELS } from './common.js';

const scope = dashboardScope([...COMMON, 'code']);

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

const ENTRY_LABELS = [
  'kafka_error_code',
  'error_type',
  'kafka_error_category',
  'kafka_error_retriable',
  'kafka_error_description',
  'kafka_error_recovery',
] as const;

/** The error-code drill-down dashboard JSON. */
export function errorCodeDashboard(): Record<string, unknown> {
  const seen = METRICS.responseErrors.name;
  const codeQuery =
    `label_values(${seen}{job=~"$job", instance=~"$instance", ${VARIABLE_LABELS.category}=~"$category"}, ` +
    `${VARIABLE_LABELS.code})`;
  return dashboard({
    uid: DASHBOARD_UIDS.errorCode,
    title: 'Kafka error code',
    description:
      'One Kafka protocol error code: what the registry says about it, and where the clients see it.',
    tags: ['kafka', 'kafka-error-exporter'],
    variables: [...COMMON_VARIABLES, { name: 'code', label: 'Error code', query: codeQuery, multi: false }],
    links: [
      { title: 'Kafka client errors', uid: DASHBOARD_UIDS.overview },
      { title: 'Kafka client throttling', uid: DASHBOARD_UIDS.throttling },
    ],
    rows: [
      {
        title: 'The code',
        panels: [
          {
            type: 'table',
            title: 'Registry entry',
            description: `The exporter's registry entry for the code (${METRICS.errorCodeInfo.name}): name, category, retriability, description and recovery advice.`,
            unit: 'none',
            w: 24,
            h: 4,
            queries: [
              {
                expr: `max by (${ENTRY_LABELS.join(', ')}) (${METRICS.errorCodeInfo.name}{${scope.filter('errorCodeInfo').join(', ')}})`,
                instant: true,
                format: 'table',
              },
            ],
            transformations: [
              {
                id: 'organize',
                options: {
                  excludeByName: { Time: true, Value: true },
                  renameByName: {
                    kafka_error_code: 'Code',
                    error_type: 'Name',
                    kafka_error_category: 'Category',
                    kafka_error_retriable: 'Retriable',
                    kafka_error_description: 'Description',
                    kafka_error_recovery: 'Recovery',
                  },
                },
              },
            ],
          },
          {
            type: 'stat',
            title: 'In broker responses',
            description: 'How many times broker responses carried the code over the dashboard range.',
            unit: 'short',
            w: 8,
            h: 4,
            noValue: '0',
            queries: [{ expr: eventsIn(scope, 'responseErrors', '$__range', []), instant: true }],
          },
          {
            type: 'stat',
            title: 'Reaching the application',
            description: 'How many times the code reached the application over the dashboard range.',
            unit: 'short',
            w: 8,
            h: 4,
            noValue: '0',
            queries: [{ expr: eventsIn(scope, 'operationErrors', '$__range', []), instant: true }],
          },
          {
            type: 'stat',
            title: 'Share of responses',
            description: 'Occurrences of the code per broker response received, now.',
            unit: 'percentunit',
            w: 8,
            h: 4,
            noValue: '0',
            queries: [{ expr: responseErrorRatio(scope, [], []) }],
          },
        ],
      },
      {
        title: 'Where it happens',
        panels: [
          rateBy(
            'By API',
            'Occurrences per second in responses, by Kafka protocol API.',
            ['kafka_api_name'],
            '{{kafka_api_name}}',
          ),
          rateBy(
            'By client',
            'Occurrences per second in responses, by client.id.',
            ['messaging_client_id'],
            '{{messaging_client_id}}',
          ),
          rateBy(
            'By broker',
            'Occurrences per second in responses, by the broker that answered.',
            ['server_address', 'server_port'],
            '{{server_address}}:{{server_port}}',
          ),
          rateBy(
            'By topic',
            'Occurrences per second in responses, by topic. Needs the opt-in topic label (capped; overflow ' +
              'is __other__); empty otherwise.',
            ['messaging_destination_name'],
            '{{messaging_destination_name}}',
          ),
          {
            type: 'timeseries',
            title: 'Reaching the application by operation',
            description:
              'Occurrences per second returned to the application, by client operation and origin.',
            unit: 'cps',
            w: 8,
            h: 8,
            queries: [
              {
                expr: sumRate(scope, 'operationErrors', ['messaging_operation_name', 'kafka_error_origin']),
                legend: '{{messaging_operation_name}} ({{kafka_error_origin}})',
              },
            ],
          },
          {
            type: 'timeseries',
            title: 'Share of responses by client',
            description: 'Occurrences of the code per broker response received, by client.id.',
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
        ],
      },
    ],
  });
}
