// The metric contract in one table: every family, label and bucket both sinks, the docs and the dashboard
// checks derive from. Nothing else spells a metric name. docs/metrics.md is the reference (generated from here).

/** Prometheus label names and the OpenTelemetry attribute key each one comes from. */
export const LABELS = {
  kafka_error_code: 'kafka.error.code',
  error_type: 'error.type',
  kafka_error_category: 'kafka.error.category',
  kafka_error_retriable: 'kafka.error.retriable',
  kafka_error_recovery: 'kafka.error.recovery',
  kafka_error_description: 'kafka.error.description',
  kafka_api_name: 'kafka.api.name',
  kafka_error_origin: 'kafka.error.origin',
  messaging_operation_name: 'messaging.operation.name',
  messaging_client_id: 'messaging.client.id',
  server_address: 'server.address',
  server_port: 'server.port',
  messaging_destination_name: 'messaging.destination.name',
  // self-metrics
  version: 'version',
  nodejs_version: 'nodejs.version',
  kind: 'kind',
  reason: 'reason',
  label: 'label',
  metric: 'metric',
  side: 'side',
  direction: 'direction',
  rewrite: 'rewrite',
} as const;
export type LabelName = keyof typeof LABELS;

/** What each label holds , for docs/metrics.md. Every value set is bounded. */
export const LABEL_VALUES: Readonly<Record<LabelName, string>> = {
  kafka_error_code: 'the numeric code as a string, e.g. `"3"`, `"-1"`; unknown codes past a cap: `other`',
  error_type:
    'the registry name, e.g. `UNKNOWN_TOPIC_OR_PARTITION`; `UNKNOWN_ERROR_CODE`; for client-side errors with code -1 the client error class (capped; a name that is not an identifier of at most 100 characters folds into `__other__`)',
  kafka_error_category: '`retriable`, `non_retriable`, `fatal`',
  kafka_error_retriable: '`true`, `false`',
  kafka_error_recovery: "the registry's recovery text",
  kafka_error_description: "the registry's description text",
  kafka_api_name:
    'the protocol API name, e.g. `Produce`, `Metadata`, `JoinGroup`; `Unknown` for keys outside the table',
  kafka_error_origin: '`broker` (the error carries a broker code) or `client` (raised locally)',
  messaging_operation_name:
    '`send`, `send_batch`, `commit`, `consume`, `subscribe`, `connect`, `disconnect`, `transaction`, `admin`',
  messaging_client_id: 'the Kafka `client.id` (capped, cleaned: see below)',
  server_address: 'the broker host as the client dialled it (capped, with the port; cleaned: see below)',
  server_port: 'the broker port; `0` when the address is folded into `__other__`',
  messaging_destination_name: 'the topic, opt-in only (capped, cleaned: see below)',
  version: 'the kafka-error-exporter version',
  nodejs_version: 'the Node.js version, e.g. `v20.20.2`',
  kind: 'where inside the hooks an exception was caught: `socket_write`, `socket_read`, `decode`, `record`, `instrument`, `operation_error`, `proxy`',
  reason:
    'why a frame was not decoded: `unknown_correlation_id`, `unsupported_api_version`, `unknown_api_key`, `truncated`, `malformed`, `oversized`; why the proxy closed a connection: `malformed_request`, `malformed_response`, `rewrite_failed`, `rewrite_too_large`, `upstream_unreachable`, `unsupported_version`, `shutdown`, `internal_error` (an exception in the proxy itself), `connection_limit` (at --proxy-max-connections); why the HTTP server closed a connection: `header_timeout` (no complete request head in time), `connection_limit` (at the cap of open connections)',
  label:
    'the capped label: `messaging_destination_name`, `messaging_client_id`, `server_address`, `error_type`, `kafka_error_code`',
  metric:
    'the family whose series budget was reached: `kafka_client_responses_total`, `kafka_client_requests_during_throttle_total`, `kafka_client_throttle_time_seconds`, `kafka_client_response_errors_total`, `kafka_client_operation_errors_total`',
  side: 'which end of the proxy a connection is on: `client` (an application) or `broker` (upstream)',
  direction: 'which way the proxy forwarded: `to_broker` (requests) or `to_client` (responses)',
  rewrite:
    'what the proxy rewrote in a response: `broker_addresses` (Metadata, FindCoordinator, DescribeCluster), `node_endpoints` (KIP-951 leader hints in Produce) or `api_versions`',
};

export type MetricType = 'counter' | 'histogram' | 'gauge';

export interface MetricDefinition {
  /** Prometheus family name as exposed (counters include `_total`). */
  readonly name: string;
  /** OpenTelemetry instrument name; the standard translation of it gives `name`. */
  readonly otelName: string;
  readonly type: MetricType;
  /** OpenTelemetry unit (UCUM); `s` gives the `_seconds` suffix. */
  readonly unit: string;
  readonly help: string;
  /** Labels every series carries, in exposition order. */
  readonly labels: readonly LabelName[];
  /** Labels present only when the user opts in (capped, with an overflow value). */
  readonly optionalLabels?: readonly LabelName[];
  /** Histogram bucket upper bounds. */
  readonly buckets?: readonly number[];
}

/** Throttle histogram buckets in seconds (docs/metrics.md). */
export const THROTTLE_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

const ERROR_CLASS: readonly LabelName[] = [
  'kafka_error_code',
  'error_type',
  'kafka_error_category',
  'kafka_error_retriable',
];
const BROKER: readonly LabelName[] = ['messaging_client_id', 'server_address', 'server_port'];

export const METRICS = {
  responseErrors: {
    name: 'kafka_client_response_errors_total',
    otelName: 'kafka.client.response.errors',
    type: 'counter',
    unit: '{error}',
    help: 'Non-zero error codes in Kafka broker responses, top level and per partition or resource, retried or not.',
    labels: [...ERROR_CLASS, 'kafka_api_name', ...BROKER],
    optionalLabels: ['messaging_destination_name'],
  },
  operationErrors: {
    name: 'kafka_client_operation_errors_total',
    otelName: 'kafka.client.operation.errors',
    type: 'counter',
    unit: '{error}',
    help: 'Kafka client errors that reached the application: rejected calls and consumer crashes.',
    labels: [...ERROR_CLASS, 'kafka_error_origin', 'messaging_operation_name', 'messaging_client_id'],
  },
  responses: {
    name: 'kafka_client_responses_total',
    otelName: 'kafka.client.responses',
    type: 'counter',
    unit: '{response}',
    help: 'Kafka broker responses received (the denominator of error ratios).',
    labels: ['kafka_api_name', ...BROKER],
  },
  requestsDuringThrottle: {
    name: 'kafka_client_requests_during_throttle_total',
    otelName: 'kafka.client.requests.during_throttle',
    type: 'counter',
    unit: '{request}',
    help: 'Requests a client sent on a connection while a throttle the broker announced on that connection (throttle_time_ms of an earlier response) had not yet expired.',
    labels: ['kafka_api_name', ...BROKER],
  },
  throttleTime: {
    name: 'kafka_client_throttle_time_seconds',
    otelName: 'kafka.client.throttle.time',
    type: 'histogram',
    unit: 's',
    help: 'Broker throttle_time_ms of responses that were throttled (above zero), in seconds.',
    labels: ['kafka_api_name', ...BROKER],
    buckets: THROTTLE_BUCKETS_SECONDS,
  },
  errorCodeInfo: {
    name: 'kafka_error_code_info',
    otelName: 'kafka.error.code.info',
    type: 'gauge',
    unit: '1',
    help: 'Kafka protocol error code registry: one series per code with its classification and recovery advice.',
    labels: [...ERROR_CLASS, 'kafka_error_recovery', 'kafka_error_description'],
  },
  buildInfo: {
    name: 'kafka_error_exporter_build_info',
    otelName: 'kafka_error_exporter.build_info',
    type: 'gauge',
    unit: '1',
    help: 'kafka-error-exporter build information.',
    labels: ['version', 'nodejs_version'],
  },
  captureFailures: {
    name: 'kafka_error_exporter_capture_failures_total',
    otelName: 'kafka_error_exporter.capture.failures',
    type: 'counter',
    unit: '{failure}',
    help: 'Exceptions caught inside the exporter hooks; the Kafka traffic went on unchanged.',
    labels: ['kind'],
  },
  undecodableFrames: {
    name: 'kafka_error_exporter_undecodable_frames_total',
    otelName: 'kafka_error_exporter.undecodable.frames',
    type: 'counter',
    unit: '{frame}',
    help: 'Kafka response frames the decoder could not read; they were passed on untouched.',
    labels: ['reason'],
  },
  labelOverflow: {
    name: 'kafka_error_exporter_label_overflow_total',
    otelName: 'kafka_error_exporter.label.overflow',
    type: 'counter',
    unit: '{value}',
    help: 'Label values folded into an overflow value by a cardinality cap.',
    labels: ['label'],
  },
  seriesOverflow: {
    name: 'kafka_error_exporter_series_overflow_total',
    otelName: 'kafka_error_exporter.series.overflow',
    type: 'counter',
    unit: '{event}',
    help: 'Recordings counted in the overflow series of a family (every label __other__) because the family had reached its series budget.',
    labels: ['metric'],
  },
  proxyConnections: {
    name: 'kafka_error_exporter_proxy_connections',
    otelName: 'kafka_error_exporter.proxy.connections',
    type: 'gauge',
    unit: '{connection}',
    help: 'Open connections of the Kafka protocol proxy, from applications (client) and to brokers (broker).',
    labels: ['side'],
  },
  proxyListeners: {
    name: 'kafka_error_exporter_proxy_listeners',
    otelName: 'kafka_error_exporter.proxy.listeners',
    type: 'gauge',
    unit: '{listener}',
    help: 'Listening sockets of the Kafka protocol proxy: the bootstrap listener and one per broker it learnt of.',
    labels: [],
  },
  proxyBytes: {
    name: 'kafka_error_exporter_proxy_bytes_total',
    otelName: 'kafka_error_exporter.proxy.bytes',
    type: 'counter',
    unit: '{byte}',
    help: 'Bytes the Kafka protocol proxy forwarded.',
    labels: ['direction'],
  },
  proxyFrames: {
    name: 'kafka_error_exporter_proxy_frames_total',
    otelName: 'kafka_error_exporter.proxy.frames',
    type: 'counter',
    unit: '{frame}',
    help: 'Kafka requests and responses the protocol proxy forwarded.',
    labels: ['direction'],
  },
  proxyRewrites: {
    name: 'kafka_error_exporter_proxy_rewrites_total',
    otelName: 'kafka_error_exporter.proxy.rewrites',
    type: 'counter',
    unit: '{response}',
    help: 'Responses the Kafka protocol proxy rewrote: broker addresses pointed at its own listeners, API versions capped to what it decodes.',
    labels: ['rewrite'],
  },
  proxyClosedConnections: {
    name: 'kafka_error_exporter_proxy_closed_connections_total',
    otelName: 'kafka_error_exporter.proxy.closed_connections',
    type: 'counter',
    unit: '{connection}',
    help: 'Connections the Kafka protocol proxy closed itself, by reason (clients and brokers closing are not counted).',
    labels: ['reason'],
  },
  proxyUpstreamConnectFailures: {
    name: 'kafka_error_exporter_proxy_upstream_connect_failures_total',
    otelName: 'kafka_error_exporter.proxy.upstream_connect_failures',
    type: 'counter',
    unit: '{connection}',
    help: 'Client connections the Kafka protocol proxy refused because no broker accepted its connection in time.',
    labels: [],
  },
  proxyUnmappedBrokers: {
    name: 'kafka_error_exporter_proxy_unmapped_brokers_total',
    otelName: 'kafka_error_exporter.proxy.unmapped_brokers',
    type: 'counter',
    unit: '{broker}',
    help: 'Brokers for which the Kafka protocol proxy found no free port in its broker port range (their clients fail rather than bypass the proxy).',
    labels: [],
  },
  httpConnections: {
    name: 'kafka_error_exporter_http_connections',
    otelName: 'kafka_error_exporter.http.connections',
    type: 'gauge',
    unit: '{connection}',
    help: 'Open connections of the HTTP server (/metrics and the probes), TLS handshakes included.',
    labels: [],
  },
  httpClosedConnections: {
    name: 'kafka_error_exporter_http_closed_connections_total',
    otelName: 'kafka_error_exporter.http.closed_connections',
    type: 'counter',
    unit: '{connection}',
    help: 'Connections the HTTP server closed itself, by reason: no complete request head in time, or the cap of open connections reached (idle keep-alive connections closing are not counted).',
    labels: ['reason'],
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;
