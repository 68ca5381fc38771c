// The Prometheus recording and alerting rules, built from the metric table and the rule options.
//
// Recording rules hold the rates, ratios and windowed error counts; every alert about the applications' Kafka
// errors reads them, and those alerts share the `KafkaClient` prefix. Event alerts (a fatal error, an
// authentication failure) count errors over `eventWindow` and fire at once: the window keeps them active after
// the last error, so they do not flap. Condition alerts (a retriable storm, throttling) compare recorded rates
// and hold `for:` a while first. A third group, `KafkaErrorExporter` alerts, watches the exporter itself (its
// Kafka protocol proxy and its hooks) from its self-metrics directly: those families are small.
import { PROXY_CLOSE_REASONS, type ProxyCloseReason } from '../../src/capture/proxy/proxy-stats.js';
import { METRICS, type MetricKey } from '../../src/metrics/names.js';
import {
  eq,
  eventsIn,
  re,
  responseErrorRatio,
  series,
  sum,
  sumRate,
  throttledFraction,
  throttleQuantile,
  type Matcher,
  type QueryScope,
} from './promql.js';
import type { AlertSettings, NamedCode, RuleOptions } from './rule-options.js';
import { advice, label, registryName, runbook, where } from './rule-templates.js';

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: string };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** The error-classification labels an error series carries. */
const ERROR_CLASS = ['kafka_error_category', 'kafka_error_code', 'error_type'] as const;

/** A family's name without the `kafka_client_` prefix and `_total` suffix, for recording rule names. */
function short(metric: MetricKey): string {
  return METRICS[metric].name.replace(/^kafka_client_/, '').replace(/_total$/, '');
}

/** The names of the recorded series, for the alerts here and for the rule tests. */
export function recordNames(o: RuleOptions) {
  const r = o.rateWindow;
  const w = o.eventWindow;
  const q = Math.round(o.throttling.quantile * 100);
  return {
    errorRate: `kafka_client_error:${short('responseErrors')}:rate${r}`,
    responseRate: `kafka_client:${short('responses')}:rate${r}`,
    errorRatio: `kafka_client_error:response_error_ratio:rate${r}`,
    categoryRatio: `kafka_client_category:response_error_ratio:rate${r}`,
    responseErrorsInWindow: `kafka_client_error:${short('responseErrors')}:increase${w}`,
    operationErrorsInWindow: `kafka_client_operation_error:${short('operationErrors')}:increase${w}`,
    throttledFraction: `kafka_client_api:throttled_fraction:rate${r}`,
    throttleQuantile: `kafka_client_api:${short('throttleTime')}:p${q}_rate${r}`,
    requestsDuringThrottle: `kafka_client_api:${short('requestsDuringThrottle')}:rate${r}`,
  };
}

/** A recorded series with matchers. */
function recorded(name: string, matchers: readonly Matcher[]): string {
  return `${name}{${matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
}

function codeRegex(codes: readonly NamedCode[]): string {
  return codes.map((c) => c.code).join('|');
}

/**
 * Why the proxy closes connections that the closed-connections alert leaves out: `upstream_unreachable` has its
 * own alert (KafkaErrorExporterProxyUpstreamUnreachable), and `shutdown` is the proxy's own orderly stop.
 */
const CLOSES_NOT_ALERTED: readonly ProxyCloseReason[] = ['upstream_unreachable', 'shutdown'];

/** The proxy's close reasons that are protocol problems: a reason added to the proxy is alerted by default. */
export const PROTOCOL_CLOSE_REASONS: readonly ProxyCloseReason[] = PROXY_CLOSE_REASONS.filter(
  (r) => !CLOSES_NOT_ALERTED.includes(r),
);

/**
 * Builds the three rule groups: `kafka-client.rules` (recording), `kafka-client.alerts` (the applications'
 * Kafka errors) and `kafka-error-exporter.alerts` (the exporter's own health).
 */
export function buildRuleGroups(o: RuleOptions): RuleGroup[] {
  const scope: QueryScope = {
    filter: () => (o.selector === '' ? [] : [o.selector]),
    rateWindow: o.rateWindow,
  };
  const n = recordNames(o);
  const client = [...o.groupBy, 'messaging_client_id'];
  const clientError = [...client, ...ERROR_CLASS];
  const operationError = [...client, 'messaging_operation_name', 'kafka_error_origin', ...ERROR_CLASS];
  const clientApi = [...client, 'kafka_api_name'];
  const recording: RecordingRule[] = [
    { record: n.errorRate, expr: sumRate(scope, 'responseErrors', clientError) },
    { record: n.responseRate, expr: sumRate(scope, 'responses', client) },
    { record: n.errorRatio, expr: responseErrorRatio(scope, client, ERROR_CLASS) },
    { record: n.categoryRatio, expr: responseErrorRatio(scope, client, ['kafka_error_category']) },
    { record: n.responseErrorsInWindow, expr: eventsIn(scope, 'responseErrors', o.eventWindow, clientError) },
    {
      record: n.operationErrorsInWindow,
      expr: eventsIn(scope, 'operationErrors', o.eventWindow, operationError),
    },
    { record: n.throttledFraction, expr: throttledFraction(scope, clientApi) },
    { record: n.throttleQuantile, expr: throttleQuantile(scope, o.throttling.quantile, clientApi) },
    // Clients that do not wait out a throttle the broker announced (the broker then delays them anyway).
    { record: n.requestsDuringThrottle, expr: sumRate(scope, 'requestsDuringThrottle', clientApi) },
  ];

  const codeBy = `by (${[...client, 'kafka_error_code', 'error_type'].join(', ')})`;
  /** Errors matching `m` in responses or reaching the application, over the event window. */
  const anyErrors = (m: readonly Matcher[], groupBy = codeBy, threshold = 0): string =>
    `(sum ${groupBy} (${recorded(n.responseErrorsInWindow, m)}) > ${threshold})\nor\n` +
    `(sum ${groupBy} (${recorded(n.operationErrorsInWindow, m)}) > ${threshold})`;
  const from = where(o.groupBy);
  const clientLabel = label('messaging_client_id');
  const errorLabel = `${label('error_type')} (code ${label('kafka_error_code')})`;
  const codeRunbook = runbook(o.runbookBase, `docs/error-codes.md#${registryName(o.selector)}`);
  const alertRunbook = (alert: string): string =>
    runbook(o.runbookBase, `deploy/prometheus/README.md#${alert}`);
  const alert = (
    name: string,
    s: AlertSettings,
    expr: string,
    summary: string,
    description: string,
    runbookUrl: string,
  ): AlertingRule => ({
    alert: name,
    expr,
    for: s.for,
    labels: { severity: s.severity },
    annotations: { summary, description, runbook_url: runbookUrl },
  });

  const auth = o.authentication;
  const authz = o.authorization;
  const alerts: AlertingRule[] = [
    alert(
      'KafkaClientFatalError',
      o.fatal,
      anyErrors([eq('kafka_error_category', 'fatal')]),
      `Kafka client ${clientLabel} hit fatal error ${label('error_type')}`,
      `Client ${clientLabel} (${from}) received {{ $value | humanize }} fatal ${errorLabel} error(s) in the ` +
        `last ${o.eventWindow}; the client instance is no longer usable until it is closed and recreated. ` +
        advice(o.selector),
      codeRunbook,
    ),
    alert(
      'KafkaClientNonRetriableErrors',
      o.nonRetriable,
      `sum by (${[...client, 'messaging_operation_name', 'kafka_error_origin', 'kafka_error_code', 'error_type'].join(', ')}) ` +
        `(${recorded(n.operationErrorsInWindow, [
          eq('kafka_error_category', 'non_retriable'),
          { label: 'kafka_error_code', op: '!~', value: codeRegex([...auth.codes, ...authz.codes]) },
        ])}) > ${o.nonRetriable.threshold}`,
      `Kafka client ${clientLabel} returned non-retriable ${label('error_type')} errors to the application`,
      `{{ $value | humanize }} non-retriable ${errorLabel} error(s) (origin ${label('kafka_error_origin')}) ` +
        `reached the application in ${label('messaging_operation_name')} calls of client ${clientLabel} ` +
        `(${from}) in the last ${o.eventWindow}; retrying the same request will not help. ${advice(o.selector)}`,
      codeRunbook,
    ),
    alert(
      'KafkaClientRetriableErrorStorm',
      o.retriableStorm,
      `${recorded(n.errorRatio, [eq('kafka_error_category', 'retriable')])} > ${o.retriableStorm.ratio}\nand\n` +
        `${recorded(n.errorRate, [eq('kafka_error_category', 'retriable')])} > ${o.retriableStorm.minRate}`,
      `Kafka client ${clientLabel} is retrying ${label('error_type')} in {{ $value | humanizePercentage }} of responses`,
      `Retriable ${errorLabel} errors arrive at {{ $value | humanizePercentage }} of the broker responses of ` +
        `client ${clientLabel} (${from}), more than ${o.retriableStorm.ratio * 100}% for ${o.retriableStorm.for}. ` +
        `The client retries them, but latency and load grow. ${advice(o.selector)}`,
      codeRunbook,
    ),
    alert(
      'KafkaClientThrottled',
      o.throttling,
      `${n.throttleQuantile} > ${o.throttling.seconds}\nand\n${n.throttledFraction} > ${o.throttling.minFraction}`,
      `Brokers throttle ${label('kafka_api_name')} requests of Kafka client ${clientLabel}`,
      `The p${Math.round(o.throttling.quantile * 100)} broker throttle time of ${label('kafka_api_name')} ` +
        `responses to client ${clientLabel} (${from}) is {{ $value | humanizeDuration }} (above ` +
        `${o.throttling.seconds}s for ${o.throttling.for}) and more than ${o.throttling.minFraction * 100}% of ` +
        `its responses are throttled: the client exceeds a broker quota (produce/fetch byte rate or request ` +
        `rate). Recovery: lower the client's request rate or raise its quota.`,
      alertRunbook('KafkaClientThrottled'),
    ),
    alert(
      'KafkaClientAuthenticationFailure',
      auth,
      anyErrors([re('kafka_error_code', codeRegex(auth.codes))]),
      `Kafka client ${clientLabel} fails to authenticate: ${label('error_type')}`,
      `Client ${clientLabel} (${from}) received {{ $value | humanize }} ${errorLabel} error(s) in the last ` +
        `${o.eventWindow}: the broker rejects its credentials or SASL exchange, so its connections fail. ` +
        advice(o.selector),
      codeRunbook,
    ),
    alert(
      'KafkaClientAuthorizationFailure',
      authz,
      anyErrors([re('kafka_error_code', codeRegex(authz.codes))]),
      `Kafka client ${clientLabel} is denied by broker ACLs: ${label('error_type')}`,
      `Client ${clientLabel} (${from}) received {{ $value | humanize }} ${errorLabel} error(s) in the last ` +
        `${o.eventWindow}: its principal lacks an ACL for the resource it asked for. ${advice(o.selector)}`,
      codeRunbook,
    ),
    alert(
      'KafkaClientUnknownErrorCode',
      o.unknownCode,
      anyErrors(
        [eq('error_type', 'UNKNOWN_ERROR_CODE')],
        `by (${[...client, 'kafka_error_code'].join(', ')})`,
      ),
      `Kafka client ${clientLabel} received unknown error code ${label('kafka_error_code')}`,
      `Client ${clientLabel} (${from}) received {{ $value | humanize }} error(s) with code ` +
        `${label('kafka_error_code')} in the last ${o.eventWindow}, which the exporter's registry does not ` +
        `know (the broker is newer than the exporter, or the code is "other": past the cap of distinct unknown ` +
        `codes). They are treated as non-retriable. The exporter logged each code once with the broker's ` +
        `error message; upgrade the exporter or override the code's category.`,
      alertRunbook('KafkaClientUnknownErrorCode'),
    ),
  ];

  // The exporter's own health. Its self-metric series are exposed from zero, but a counter can already be
  // above zero at the first scrape (the proxy maps the cluster's brokers as it starts): eventsIn counts that too.
  // A broker without a port stays without one until the exporter restarts (each is counted once, and ports are
  // never given back), so that alert reads the counter itself: it lasts as long as the problem.
  const exporter = o.groupBy;
  const events = (metric: MetricKey, keep: readonly string[], matchers: readonly Matcher[] = []): string =>
    `${eventsIn(scope, metric, o.eventWindow, keep, matchers)} > 0`;
  const exporterAlerts: AlertingRule[] = [
    alert(
      'KafkaErrorExporterProxyBrokerUnmapped',
      o.proxyBrokerUnmapped,
      `${sum(exporter, series(scope, 'proxyUnmappedBrokers', []))} > 0`,
      `Kafka proxy of ${from} has no port for {{ $value | humanize }} broker(s)`,
      `The Kafka protocol proxy of the exporter (${from}) found no free port in its broker port range for ` +
        `{{ $value | humanize }} broker(s) since it started. It tells clients port 0 for such a ` +
        `broker, so they cannot reach it through the proxy (they fail rather than bypass it), until the exporter ` +
        `restarts with a wider range. Recovery: widen --proxy-broker-ports (the log line "kafka proxy: no free ` +
        `port for a broker" names the node id and the range).`,
      alertRunbook('KafkaErrorExporterProxyBrokerUnmapped'),
    ),
    alert(
      'KafkaErrorExporterProxyUpstreamUnreachable',
      o.proxyUpstreamUnreachable,
      `${sumRate(scope, 'proxyUpstreamConnectFailures', exporter)} > 0`,
      `Kafka proxy of ${from} cannot connect to brokers`,
      `The Kafka protocol proxy of the exporter (${from}) refuses {{ printf "%.3g" $value }} client ` +
        `connection(s) per second (over ${o.rateWindow}, for ${o.proxyUpstreamUnreachable.for}) because no broker accepted ` +
        `its connection: refused, timed out or a TLS failure. The refused clients count NETWORK_EXCEPTION ` +
        `(code 13) with origin client. Check the log line "kafka proxy: cannot connect to a broker" (it names ` +
        `the broker and the reason), network policy, --proxy-upstream and the --proxy-tls* settings.`,
      alertRunbook('KafkaErrorExporterProxyUpstreamUnreachable'),
    ),
    alert(
      'KafkaErrorExporterProxyClosedConnections',
      o.proxyClosedConnections,
      events(
        'proxyClosedConnections',
        [...exporter, 'reason'],
        [re('reason', PROTOCOL_CLOSE_REASONS.join('|'))],
      ),
      `Kafka proxy of ${from} closed connections: ${label('reason')}`,
      `The Kafka protocol proxy of the exporter (${from}) closed {{ $value | humanize }} client ` +
        `connection(s) for reason ${label('reason')} in the last ${o.eventWindow}: a client asked for a ` +
        `version the proxy cannot read (unsupported_version), a frame was malformed (malformed_request, ` +
        `malformed_response), a response could not be rewritten (rewrite_failed, rewrite_too_large), the ` +
        `proxy itself failed (internal_error), or the application opened more connections than the proxy ` +
        `keeps (connection_limit). The clients reconnect and may fail again. The log line "kafka proxy: closed a connection" names the ` +
        `client and broker; the runbook has the recovery for each reason.`,
      alertRunbook('KafkaErrorExporterProxyClosedConnections'),
    ),
    alert(
      'KafkaErrorExporterCaptureFailures',
      o.captureFailures,
      events('captureFailures', [...exporter, 'kind']),
      `kafka-error-exporter of ${from} caught ${label('kind')} failures`,
      `The exporter (${from}) caught {{ $value | humanize }} exception(s) inside its hooks or decoding ` +
        `(kind ${label('kind')}) in the last ${o.eventWindow}. The application's Kafka traffic went on ` +
        `unchanged, but the error counts may be incomplete. The exporter logged the failure once per kind, ` +
        `with the exception; the runbook says what each kind means.`,
      alertRunbook('KafkaErrorExporterCaptureFailures'),
    ),
  ];
  return [
    { name: 'kafka-client.rules', rules: recording },
    { name: 'kafka-client.alerts', rules: alerts },
    { name: 'kafka-error-exporter.alerts', rules: exporterAlerts },
  ];
}
