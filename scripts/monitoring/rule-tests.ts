// promtool unit tests for the shipped rules: every alert fires for the series that should fire it, with the
// expected labels and annotations, and stays silent for healthy series.
//
// Written against DEFAULT_RULE_OPTIONS. Series names come from the metric table; the expected annotation texts
// are spelled out literally, so a change to an alert's wording must be made here too, on purpose.
import { PROXY_CLOSE_REASONS, type ProxyCloseReason } from '../../src/capture/proxy/proxy-stats.js';
import { UNKNOWN_ERROR_NAME } from '../../src/codes/registry.js';
import type { RuleOptions } from './rule-options.js';
import {
  advice,
  BROKER,
  apiLabels,
  entry,
  from,
  info,
  operationError,
  ratioLabels,
  responseError,
  responses,
  runbookAlert,
  runbookCode,
  s,
  target,
  TARGET,
  throttled,
} from './rule-test-fixtures.js';
import { recordNames } from './rules.js';

interface ExpAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}
interface AlertTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly ExpAlert[];
}
interface ExprTest {
  readonly expr: string;
  readonly eval_time: string;
  readonly exp_samples: readonly { readonly labels: string; readonly value: number }[];
}
export interface RuleTestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly { readonly series: string; readonly values: string }[];
  readonly alert_rule_test?: readonly AlertTest[];
  readonly promql_expr_test?: readonly ExprTest[];
}

/** The promtool test groups for `o` (the shipped defaults). */
export function buildRuleTests(o: RuleOptions): RuleTestGroup[] {
  const w = o.eventWindow;
  const n = recordNames(o);
  const fatal = (
    client: string,
    code: string,
    count: string,
    type = entry(code)?.name ?? UNKNOWN_ERROR_NAME,
  ) => ({
    exp_labels: {
      ...target,
      severity: 'critical',
      messaging_client_id: client,
      kafka_error_code: code,
      error_type: type,
    },
    exp_annotations: {
      summary: `Kafka client ${client} hit fatal error ${type}`,
      description:
        `Client ${client} (${from}) received ${count} fatal ${type} (code ${code}) error(s) in the last ${w}; ` +
        `the client instance is no longer usable until it is closed and recreated. ${advice(code)}`,
      runbook_url: runbookCode(type),
    },
  });
  const alertAt = (eval_time: string, alertname: string, exp_alerts: ExpAlert[] = []): AlertTest => ({
    eval_time,
    alertname,
    exp_alerts,
  });

  return [
    {
      name: 'KafkaClientFatalError fires on the first fatal error of a new series and clears after the window',
      interval: '1m',
      input_series: [
        ...info(),
        responseError('payments', 'Produce', '47', '_x5 1x30'),
        responseError('orders', 'Produce', '6', '0+5x40'),
        operationError('orders', 'send', 'broker', '10', '0+1x40'),
      ],
      alert_rule_test: [
        alertAt('4m', 'KafkaClientFatalError'),
        alertAt('6m', 'KafkaClientFatalError', [fatal('payments', '47', '1')]),
        alertAt('14m', 'KafkaClientFatalError', [fatal('payments', '47', '1')]),
        alertAt('17m', 'KafkaClientFatalError'),
      ],
    },
    {
      name: 'KafkaClientFatalError fires when an old fatal counter grows, from operation errors too',
      interval: '1m',
      input_series: [
        ...info(),
        operationError('billing', 'send', 'broker', '90', '1x15 2x20'),
        responseError('billing', 'Produce', '129', '_x20 1x10'),
      ],
      alert_rule_test: [
        alertAt('14m', 'KafkaClientFatalError'),
        alertAt('17m', 'KafkaClientFatalError', [fatal('billing', '90', '1')]),
        alertAt('22m', 'KafkaClientFatalError', [fatal('billing', '90', '1'), fatal('billing', '129', '1')]),
      ],
    },
    {
      name: 'KafkaClientNonRetriableErrors fires for non-retriable errors that reached the application',
      interval: '1m',
      input_series: [
        ...info(),
        operationError('payments', 'send', 'broker', '10', '_x2 1x20'),
        operationError('payments', 'admin', 'client', '-1', '_x2 1x20', 'KafkaJSNonRetriableError'),
        operationError('orders', 'send', 'broker', '29', '_x2 1x20'),
        operationError('orders', 'send', 'client', '13', '0+1x20'),
        responseError('orders', 'Produce', '10', '0+1x20'),
      ],
      alert_rule_test: [
        alertAt('1m', 'KafkaClientNonRetriableErrors'),
        alertAt('4m', 'KafkaClientNonRetriableErrors', [
          nonRetriable(
            'payments',
            'admin',
            'client',
            '-1',
            'KafkaJSNonRetriableError',
            'UNKNOWN_SERVER_ERROR',
            w,
          ),
          nonRetriable('payments', 'send', 'broker', '10', 'MESSAGE_TOO_LARGE', 'MESSAGE_TOO_LARGE', w),
        ]),
        alertAt('20m', 'KafkaClientNonRetriableErrors'),
      ],
    },
    {
      name: 'KafkaClientRetriableErrorStorm fires for a sustained high retriable error ratio only',
      interval: '1m',
      input_series: [
        ...info(),
        responses('payments', 'Produce', '0+60x40'),
        responseError('payments', 'Produce', '6', '0+30x40'),
        responses('orders', 'Produce', '0+60x40'),
        responseError('orders', 'Produce', '6', '0+3x40'),
        responses('quiet', 'Produce', '0+0.6x40'),
        responseError('quiet', 'Produce', '6', '0+1.2x40'),
      ],
      alert_rule_test: [
        alertAt('10m', 'KafkaClientRetriableErrorStorm'),
        alertAt('25m', 'KafkaClientRetriableErrorStorm', [
          {
            exp_labels: {
              ...target,
              severity: 'warning',
              messaging_client_id: 'payments',
              kafka_error_category: 'retriable',
              kafka_error_code: '6',
              error_type: 'NOT_LEADER_OR_FOLLOWER',
            },
            exp_annotations: {
              summary: 'Kafka client payments is retrying NOT_LEADER_OR_FOLLOWER in 50% of responses',
              description:
                `Retriable NOT_LEADER_OR_FOLLOWER (code 6) errors arrive at 50% of the broker responses of client ` +
                `payments (${from}), more than 10% for 15m. The client retries them, but latency and load grow. ` +
                advice('6'),
              runbook_url: runbookCode('NOT_LEADER_OR_FOLLOWER'),
            },
          },
        ]),
      ],
      promql_expr_test: [
        {
          expr: n.categoryRatio,
          eval_time: '25m',
          exp_samples: [
            { labels: ratioLabels(n.categoryRatio, 'orders'), value: 0.05 },
            { labels: ratioLabels(n.categoryRatio, 'payments'), value: 0.5 },
            { labels: ratioLabels(n.categoryRatio, 'quiet'), value: 2 },
          ],
        },
      ],
    },
    {
      name: 'KafkaClientThrottled fires for long and frequent throttling only',
      interval: '1m',
      input_series: [
        responses('payments', 'Produce', '0+60x40'),
        ...throttled('payments', 'Produce', 30, 2),
        responses('orders', 'Fetch', '0+600x40'),
        ...throttled('orders', 'Fetch', 3, 5),
        responses('batch', 'Produce', '0+60x40'),
        ...throttled('batch', 'Produce', 30, 0.1),
        s(
          'requestsDuringThrottle',
          { kafka_api_name: 'Produce', messaging_client_id: 'batch', ...BROKER },
          '0+6x40',
        ),
      ],
      alert_rule_test: [
        alertAt('10m', 'KafkaClientThrottled'),
        alertAt('25m', 'KafkaClientThrottled', [
          {
            exp_labels: {
              ...target,
              severity: 'warning',
              messaging_client_id: 'payments',
              kafka_api_name: 'Produce',
            },
            exp_annotations: {
              summary: 'Brokers throttle Produce requests of Kafka client payments',
              description:
                `The p99 broker throttle time of Produce responses to client payments (${from}) is 2.485s ` +
                `(above 1s for 15m) and more than 5% of its responses are throttled: the client exceeds a broker ` +
                `quota (produce/fetch byte rate or request rate). Recovery: lower the client's request rate or ` +
                `raise its quota.`,
              runbook_url: runbookAlert('KafkaClientThrottled'),
            },
          },
        ]),
      ],
      promql_expr_test: [
        {
          expr: n.throttledFraction,
          eval_time: '25m',
          exp_samples: [
            { labels: apiLabels(n.throttledFraction, 'batch', 'Produce'), value: 0.5 },
            { labels: apiLabels(n.throttledFraction, 'orders', 'Fetch'), value: 0.005 },
            { labels: apiLabels(n.throttledFraction, 'payments', 'Produce'), value: 0.5 },
          ],
        },
        {
          expr: n.requestsDuringThrottle,
          eval_time: '25m',
          exp_samples: [{ labels: apiLabels(n.requestsDuringThrottle, 'batch', 'Produce'), value: 0.1 }],
        },
      ],
    },
    {
      name: 'Authentication and authorization failures fire their own alerts',
      interval: '1m',
      input_series: [
        ...info(),
        responseError('payments', 'SaslAuthenticate', '58', '_x2 1x20'),
        operationError('orders', 'send', 'broker', '29', '_x2 1x20'),
        responseError('orders', 'Produce', '6', '0+5x20'),
      ],
      alert_rule_test: [
        alertAt('1m', 'KafkaClientAuthenticationFailure'),
        alertAt('1m', 'KafkaClientAuthorizationFailure'),
        alertAt('4m', 'KafkaClientAuthenticationFailure', [
          {
            exp_labels: {
              ...target,
              severity: 'critical',
              messaging_client_id: 'payments',
              kafka_error_code: '58',
              error_type: 'SASL_AUTHENTICATION_FAILED',
            },
            exp_annotations: {
              summary: 'Kafka client payments fails to authenticate: SASL_AUTHENTICATION_FAILED',
              description:
                `Client payments (${from}) received 1 SASL_AUTHENTICATION_FAILED (code 58) error(s) in the last ` +
                `${w}: the broker rejects its credentials or SASL exchange, so its connections fail. ${advice('58')}`,
              runbook_url: runbookCode('SASL_AUTHENTICATION_FAILED'),
            },
          },
        ]),
        alertAt('4m', 'KafkaClientAuthorizationFailure', [
          {
            exp_labels: {
              ...target,
              severity: 'warning',
              messaging_client_id: 'orders',
              kafka_error_code: '29',
              error_type: 'TOPIC_AUTHORIZATION_FAILED',
            },
            exp_annotations: {
              summary: 'Kafka client orders is denied by broker ACLs: TOPIC_AUTHORIZATION_FAILED',
              description:
                `Client orders (${from}) received 1 TOPIC_AUTHORIZATION_FAILED (code 29) error(s) in the last ${w}: ` +
                `its principal lacks an ACL for the resource it asked for. ${advice('29')}`,
              runbook_url: runbookCode('TOPIC_AUTHORIZATION_FAILED'),
            },
          },
        ]),
        alertAt('20m', 'KafkaClientAuthenticationFailure'),
        alertAt('20m', 'KafkaClientAuthorizationFailure'),
      ],
    },
    {
      name: 'KafkaClientUnknownErrorCode fires for codes the registry does not know',
      interval: '1m',
      input_series: [
        ...info(),
        responseError('payments', 'Fetch', '200', '_x2 1x20'),
        responseError('orders', 'Fetch', '6', '0+5x20'),
      ],
      alert_rule_test: [
        alertAt('1m', 'KafkaClientUnknownErrorCode'),
        alertAt('4m', 'KafkaClientUnknownErrorCode', [
          {
            exp_labels: {
              ...target,
              severity: 'info',
              messaging_client_id: 'payments',
              kafka_error_code: '200',
            },
            exp_annotations: {
              summary: 'Kafka client payments received unknown error code 200',
              description:
                `Client payments (${from}) received 1 error(s) with code 200 in the last ${w}, which the ` +
                `exporter's registry does not know (the broker is newer than the exporter, or the code is ` +
                `"other": past the cap of distinct unknown codes). They are treated as non-retriable. The ` +
                `exporter logged each code once with the broker's error message; upgrade the exporter or ` +
                `override the code's category.`,
              runbook_url: runbookAlert('KafkaClientUnknownErrorCode'),
            },
          },
        ]),
        alertAt('20m', 'KafkaClientUnknownErrorCode'),
      ],
    },
    {
      name: 'KafkaErrorExporterProxyBrokerUnmapped fires for brokers without a port, from the first scrape, until a restart',
      interval: '1m',
      input_series: [
        // The proxy maps the cluster's brokers as it starts: its counter is already 2 at the first scrape.
        // Restarted with a wider range at 20m. On APP_2 a broker joins at 5m and finds no port; restart at 15m.
        s('proxyUnmappedBrokers', {}, '2x19 0x10'),
        s('proxyUnmappedBrokers', { instance: APP_2 }, '0x5 1x9 0x15'),
        s('proxyUnmappedBrokers', { instance: APP_3 }, '0x30'),
      ],
      alert_rule_test: [
        alertAt('3m', 'KafkaErrorExporterProxyBrokerUnmapped', [unmapped(TARGET.instance, '2')]),
        alertAt('7m', 'KafkaErrorExporterProxyBrokerUnmapped', [
          unmapped(TARGET.instance, '2'),
          unmapped(APP_2, '1'),
        ]),
        // Still unreachable long after the event (past the 10m event window): the alert stays.
        alertAt('17m', 'KafkaErrorExporterProxyBrokerUnmapped', [unmapped(TARGET.instance, '2')]),
        alertAt('25m', 'KafkaErrorExporterProxyBrokerUnmapped'),
      ],
    },
    {
      name: 'KafkaErrorExporterProxyUpstreamUnreachable fires for connect failures that go on, not for one',
      interval: '1m',
      input_series: [
        s('proxyUpstreamConnectFailures', {}, '0x5 0+3x30'),
        s('proxyUpstreamConnectFailures', { instance: APP_2 }, '0x5 1x30'),
        s('proxyUpstreamConnectFailures', { instance: APP_3 }, '0x35'),
      ],
      alert_rule_test: [
        alertAt('10m', 'KafkaErrorExporterProxyUpstreamUnreachable'),
        alertAt('15m', 'KafkaErrorExporterProxyUpstreamUnreachable', [
          {
            exp_labels: { ...target, severity: 'warning' },
            exp_annotations: {
              summary: `Kafka proxy of ${from} cannot connect to brokers`,
              description:
                `The Kafka protocol proxy of the exporter (${from}) refuses 0.05 client connection(s) per ` +
                `second (over ${o.rateWindow}, for 5m) because no broker accepted its connection: refused, ` +
                `timed out or a TLS failure. The refused clients count NETWORK_EXCEPTION (code 13) with origin ` +
                `client. Check the log line "kafka proxy: cannot connect to a broker" (it names the broker and ` +
                `the reason), network policy, --proxy-upstream and the --proxy-tls* settings.`,
              runbook_url: runbookAlert('KafkaErrorExporterProxyUpstreamUnreachable'),
            },
          },
        ]),
      ],
    },
    {
      name: 'KafkaErrorExporterProxyClosedConnections fires for protocol closes, not for shutdown or unreachable brokers',
      interval: '1m',
      input_series: PROXY_CLOSE_REASONS.map((reason) =>
        s('proxyClosedConnections', { reason }, CLOSES[reason]),
      ),
      alert_rule_test: [
        alertAt('3m', 'KafkaErrorExporterProxyClosedConnections'),
        alertAt('7m', 'KafkaErrorExporterProxyClosedConnections', [
          closed('rewrite_failed', '1'),
          closed('unsupported_version', '2'),
        ]),
        alertAt('30m', 'KafkaErrorExporterProxyClosedConnections', [closed('unsupported_version', '20')]),
      ],
    },
    {
      name: 'KafkaErrorExporterCaptureFailures fires per kind of failure and clears after the window',
      interval: '1m',
      input_series: [
        s('captureFailures', { kind: 'decode' }, '0x5 1x30'),
        s('captureFailures', { kind: 'record' }, '0x35'),
        s('captureFailures', { kind: 'proxy' }, '0x35'),
      ],
      alert_rule_test: [
        alertAt('3m', 'KafkaErrorExporterCaptureFailures'),
        alertAt('7m', 'KafkaErrorExporterCaptureFailures', [
          {
            exp_labels: { ...target, severity: 'warning', kind: 'decode' },
            exp_annotations: {
              summary: `kafka-error-exporter of ${from} caught decode failures`,
              description:
                `The exporter (${from}) caught 1 exception(s) inside its hooks or decoding (kind decode) in ` +
                `the last ${w}. The application's Kafka traffic went on unchanged, but the error counts may be ` +
                `incomplete. The exporter logged the failure once per kind, with the exception; the runbook ` +
                `says what each kind means.`,
              runbook_url: runbookAlert('KafkaErrorExporterCaptureFailures'),
            },
          },
        ]),
        alertAt('20m', 'KafkaErrorExporterCaptureFailures'),
      ],
    },
  ];

  function unmapped(instance: string, count: string): ExpAlert {
    const at = `job=${TARGET.job}, instance=${instance}`;
    return {
      exp_labels: { job: TARGET.job, instance, severity: 'critical' },
      exp_annotations: {
        summary: `Kafka proxy of ${at} has no port for ${count} broker(s)`,
        description:
          `The Kafka protocol proxy of the exporter (${at}) found no free port in its broker port range for ` +
          `${count} broker(s) since it started. It tells clients port 0 for such a broker, so they cannot reach ` +
          `it through the proxy (they fail rather than bypass it), until the exporter restarts with a wider ` +
          `range. Recovery: widen --proxy-broker-ports (the log line "kafka proxy: no free port for a broker" ` +
          `names the node id and the range).`,
        runbook_url: runbookAlert('KafkaErrorExporterProxyBrokerUnmapped'),
      },
    };
  }

  function closed(reason: string, count: string): ExpAlert {
    return {
      exp_labels: { ...target, severity: 'warning', reason },
      exp_annotations: {
        summary: `Kafka proxy of ${from} closed connections: ${reason}`,
        description:
          `The Kafka protocol proxy of the exporter (${from}) closed ${count} client connection(s) for reason ` +
          `${reason} in the last ${w}: a client asked for a version the proxy cannot read ` +
          `(unsupported_version), a frame was malformed (malformed_request, malformed_response), a response ` +
          `could not be rewritten (rewrite_failed, rewrite_too_large), the proxy itself failed ` +
          `(internal_error), or the application opened more connections than the proxy keeps ` +
          `(connection_limit). The clients reconnect and may fail again. The log line "kafka proxy: closed a connection" names the client and broker; the ` +
          `runbook has the recovery for each reason.`,
        runbook_url: runbookAlert('KafkaErrorExporterProxyClosedConnections'),
      },
    };
  }
}

/** Two more exporters beside the fixtures' target, for alerts that fire per exporter. */
const APP_2 = 'app-2:9464';
const APP_3 = 'app-3:9464';

/** The proxy's closed connections by reason: two protocol reasons grow, the two not alerted on grow faster. */
const CLOSES: Readonly<Record<ProxyCloseReason, string>> = {
  malformed_request: '0x35',
  malformed_response: '0x35',
  rewrite_failed: '0x5 1x30',
  rewrite_too_large: '0x35',
  unsupported_version: '0x5 0+2x30',
  upstream_unreachable: '0+4x35',
  shutdown: '0+4x35',
  internal_error: '0x35',
  connection_limit: '0x35',
};

function nonRetriable(
  client: string,
  op: string,
  origin: string,
  code: string,
  type: string,
  registryName: string,
  w: string,
): ExpAlert {
  return {
    exp_labels: {
      ...target,
      severity: 'warning',
      messaging_client_id: client,
      messaging_operation_name: op,
      kafka_error_origin: origin,
      kafka_error_code: code,
      error_type: type,
    },
    exp_annotations: {
      summary: `Kafka client ${client} returned non-retriable ${type} errors to the application`,
      description:
        `1 non-retriable ${type} (code ${code}) error(s) (origin ${origin}) reached the application in ${op} ` +
        `calls of client ${client} (${from}) in the last ${w}; retrying the same request will not help. ` +
        advice(code),
      runbook_url: runbookCode(registryName),
    },
  };
}
