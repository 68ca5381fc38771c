// The throttling dashboard: how long and how often brokers throttle the clients, by API, client and broker.
import { dashboard, type PanelSpec } from '../grafana.js';
import { sumRate, throttledFraction, throttleQuantile } from '../promql.js';
import { COMMON, COMMON_VARIABLES, DASHBOARD_UIDS, dashboardScope } from './common.js';

const scope = dashboardScope(COMMON);
const QUANTILES = [0.5, 0.9, 0.99] as const;

const BY = {
  API: { labels: ['kafka_api_name'], legend: '{{kafka_api_name}}' },
  client: { labels: ['messaging_client_id'], legend: '{{messaging_client_id}}' },
  broker: { labels: ['server_address', 'server_port'], legend: '{{server_address}}:{{server_port}}' },
} as const;
type By = keyof typeof BY;

function quantiles(by: By): PanelSpec {
  const { labels, legend } = BY[by];
  return {
    type: 'timeseries',
    title: `Throttle time quantiles by ${by}`,
    description:
      `p50, p90 and p99 of the throttle_time_ms brokers returned in throttled responses, by ${by}. ` +
      'Responses that were not throttled are not in the histogram.',
    unit: 's',
    w: 8,
    h: 8,
    queries: QUANTILES.map((q) => ({
      expr: throttleQuantile(scope, q, labels),
      legend: `p${Math.round(q * 100)} ${legend}`,
    })),
  };
}

function fraction(by: By): PanelSpec {
  const { labels, legend } = BY[by];
  return {
    type: 'timeseries',
    title: `Throttled fraction by ${by}`,
    description: `Throttled responses per response received, by ${by}.`,
    unit: 'percentunit',
    w: 8,
    h: 8,
    queries: [{ expr: throttledFraction(scope, labels), legend }],
  };
}

/** The throttling dashboard JSON. */
export function throttlingDashboard(): Record<string, unknown> {
  return dashboard({
    uid: DASHBOARD_UIDS.throttling,
    title: 'Kafka client throttling',
    description:
      'Broker quota throttling the Kafka clients saw (throttle_time_ms), from kafka-error-exporter.',
    tags: ['kafka', 'kafka-error-exporter'],
    variables: COMMON_VARIABLES,
    links: [
      { title: 'Kafka client errors', uid: DASHBOARD_UIDS.overview },
      { title: 'Kafka error code', uid: DASHBOARD_UIDS.errorCode },
    ],
    rows: [
      {
        title: 'Now',
        panels: [
          {
            type: 'stat',
            title: 'Throttled fraction',
            description: 'Throttled responses per broker response received, now.',
            unit: 'percentunit',
            w: 8,
            h: 4,
            noValue: '0',
            queries: [{ expr: throttledFraction(scope, []) }],
          },
          {
            type: 'stat',
            title: 'p99 throttle time',
            description: 'The 99th percentile of the throttle time of throttled responses, now.',
            unit: 's',
            w: 8,
            h: 4,
            queries: [{ expr: throttleQuantile(scope, 0.99, []) }],
          },
          {
            type: 'stat',
            title: 'Throttled responses',
            description: 'Throttled broker responses per second, now.',
            unit: 'reqps',
            w: 8,
            h: 4,
            noValue: '0',
            queries: [{ expr: sumRate(scope, 'throttleTime', [], [], '_count') }],
          },
        ],
      },
      {
        title: 'Throttle time',
        panels: [
          {
            type: 'heatmap',
            title: 'Throttle time distribution',
            description:
              'Throttled responses per second by throttle time bucket (the exporter histogram, not re-bucketed).',
            unit: 's',
            w: 24,
            h: 9,
            queries: [
              {
                expr: sumRate(scope, 'throttleTime', ['le'], [], '_bucket'),
                legend: '{{le}}',
                format: 'heatmap',
              },
            ],
            options: {
              calculate: false,
              yAxis: { unit: 's' },
              cellValues: { unit: 'reqps' },
              color: { mode: 'scheme', scheme: 'Oranges' },
              tooltip: { show: true, yHistogram: true },
            },
          },
          quantiles('API'),
          quantiles('client'),
          quantiles('broker'),
        ],
      },
      {
        title: 'How often',
        panels: [
          fraction('API'),
          fraction('client'),
          fraction('broker'),
          {
            type: 'timeseries',
            title: 'Requests sent during a throttle by client',
            description:
              'Requests per second a client sent on a connection while a throttle the broker announced on that ' +
              'connection was still running (KIP-219: the client should wait throttle_time_ms). Compliant clients ' +
              '(the Java client, kafkajs) stay at or near zero; a client above zero ignores quotas, and the broker ' +
              'holds its requests anyway.',
            unit: 'reqps',
            w: 12,
            h: 8,
            queries: [
              {
                expr: sumRate(scope, 'requestsDuringThrottle', ['messaging_client_id', 'kafka_api_name']),
                legend: '{{messaging_client_id}} {{kafka_api_name}}',
              },
            ],
          },
          {
            type: 'timeseries',
            title: 'Throttle time per second by client',
            description:
              'Seconds of throttling per second, summed over a client’s throttled responses: near 100% means ' +
              'a connection spends about all its time waiting out quotas.',
            unit: 'percentunit',
            w: 12,
            h: 8,
            queries: [
              {
                expr: sumRate(scope, 'throttleTime', BY.client.labels, [], '_sum'),
                legend: BY.client.legend,
              },
            ],
          },
          {
            type: 'timeseries',
            title: 'Throttled responses by API',
            description: 'Throttled broker responses per second, by API.',
            unit: 'reqps',
            w: 12,
            h: 8,
            queries: [
              { expr: sumRate(scope, 'throttleTime', BY.API.labels, [], '_count'), legend: BY.API.legend },
            ],
          },
        ],
      },
    ],
  });
}
