// The single table of options, each tagged with the entry points that use it: the parser, the validator,
// `serve --help` and docs/configuration.md all derive from it. Add an option here (and to ExporterOptions and
// DEFAULT_OPTIONS) and it exists everywhere.
import { BOTH, SERVE_ONLY } from './entry-points.js';
import type { EntryPoint } from './entry-points.js';
import { DEFAULT_OPTIONS, ENV_PREFIX } from './options.js';
import type { OptionKey } from './options.js';
import type { ValueType } from './value-types.js';

export interface OptionSpec {
  /** The key in the options object and in the configuration file. */
  readonly key: OptionKey;
  /** The command-line flag, e.g. `--port`. */
  readonly flag: string;
  /** The environment variable, e.g. `KAFKA_ERROR_EXPORTER_PORT`. */
  readonly env: string;
  readonly type: ValueType;
  /** Placeholder for the flag's argument in help, e.g. `<port>`; empty for a boolean switch. */
  readonly arg: string;
  readonly description: string;
  /** The flag may be given more than once (map entries). */
  readonly repeatable?: boolean;
  /** Not accepted inside the configuration file (the file's own path). */
  readonly notInFile?: boolean;
  /** The help section the option is listed under. */
  readonly group: OptionGroup;
  /**
   * Where the option does something. Given to another entry point, a flag or file key is refused and a variable
   * warned about (see resolveOptions).
   */
  readonly entryPoints: readonly EntryPoint[];
}

export type OptionGroup =
  'General' | 'HTTP server' | 'Kafka proxy' | 'Metrics' | 'OpenTelemetry' | 'Operations';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

function option(spec: Omit<OptionSpec, 'env'>, envName: string): OptionSpec {
  return Object.freeze({ ...spec, env: `${ENV_PREFIX}${envName}` });
}

/** Every option, in the order help and docs list them. */
export const OPTION_TABLE: readonly OptionSpec[] = Object.freeze([
  option(
    {
      key: 'config',
      flag: '--config',
      arg: '<path>',
      type: { kind: 'path' },
      group: 'General',
      entryPoints: BOTH,
      notInFile: true,
      description:
        'A YAML or JSON configuration file whose keys are the option keys below. Flags override environment variables, which override the file.',
    },
    'CONFIG',
  ),
  option(
    {
      key: 'host',
      flag: '--host',
      arg: '<address>',
      type: { kind: 'host' },
      group: 'HTTP server',
      entryPoints: BOTH,
      description:
        'Address the HTTP server listens on. The default, all interfaces, suits a container; use 127.0.0.1 on a shared host.',
    },
    'HOST',
  ),
  option(
    {
      key: 'port',
      flag: '--port',
      arg: '<port>',
      type: { kind: 'port' },
      group: 'HTTP server',
      entryPoints: BOTH,
      description: 'TCP port of the HTTP server; 0 picks a free port (logged at start).',
    },
    'PORT',
  ),
  option(
    {
      key: 'webConfigFile',
      flag: '--web-config-file',
      arg: '<path>',
      type: { kind: 'path' },
      group: 'HTTP server',
      entryPoints: BOTH,
      description:
        'A web configuration file in the format of Prometheus exporter-toolkit: tls_server_config (cert_file, key_file, min_version, max_version) and basic_auth_users (user: bcrypt hash).',
    },
    'WEB_CONFIG_FILE',
  ),
  option(
    {
      key: 'categoryOverrides',
      flag: '--category-override',
      arg: '<code=category>',
      type: { kind: 'category-map' },
      group: 'Metrics',
      entryPoints: BOTH,
      repeatable: true,
      description:
        'Overrides the category of an error code, by number or name, e.g. 27=fatal or REBALANCE_IN_PROGRESS=fatal. Repeat the flag for several; the environment variable takes a comma-separated list; the file a map. Entries merge across sources, the higher source winning per code.',
    },
    'CATEGORY_OVERRIDES',
  ),
  option(
    {
      key: 'topicLabel',
      flag: '--topic-label',
      arg: '',
      type: { kind: 'boolean' },
      group: 'Metrics',
      entryPoints: BOTH,
      description:
        'Adds the topic label (messaging_destination_name) to response errors. Off by default: topics multiply series.',
    },
    'TOPIC_LABEL',
  ),
  option(
    {
      key: 'topicLabelCap',
      flag: '--topic-label-cap',
      arg: '<n>',
      type: { kind: 'integer', min: 0, max: 10_000 },
      group: 'Metrics',
      entryPoints: BOTH,
      description: 'Distinct topics kept in the topic label; further topics are counted under __other__.',
    },
    'TOPIC_LABEL_CAP',
  ),
  option(
    {
      key: 'clientIdCap',
      flag: '--client-id-cap',
      arg: '<n>',
      type: { kind: 'integer', min: 0, max: 10_000 },
      group: 'Metrics',
      entryPoints: BOTH,
      description:
        'Distinct Kafka client ids kept in messaging_client_id; further ones are counted under __other__.',
    },
    'CLIENT_ID_CAP',
  ),
  option(
    {
      key: 'brokerCap',
      flag: '--broker-cap',
      arg: '<n>',
      type: { kind: 'integer', min: 0, max: 10_000 },
      group: 'Metrics',
      entryPoints: BOTH,
      description:
        'Distinct broker addresses kept in server_address and server_port; further ones are counted under __other__.',
    },
    'BROKER_CAP',
  ),
  option(
    {
      key: 'clientErrorTypeCap',
      flag: '--client-error-type-cap',
      arg: '<n>',
      type: { kind: 'integer', min: 0, max: 10_000 },
      group: 'Metrics',
      entryPoints: BOTH,
      description:
        'Distinct client error class names kept in error_type for errors raised by the client itself; further ones are counted under __other__.',
    },
    'CLIENT_ERROR_TYPE_CAP',
  ),
  option(
    {
      key: 'seriesBudget',
      flag: '--series-budget',
      arg: '<n>',
      type: { kind: 'integer', min: 1, max: 1_000_000 },
      group: 'Metrics',
      entryPoints: BOTH,
      description:
        'Series per metric family, the overflow series included: a new label set beyond it is counted in one overflow series of its family (every label __other__), and in kafka_error_exporter_series_overflow_total. The default fits an OpenTelemetry SDK left at its cardinality limit.',
    },
    'SERIES_BUDGET',
  ),
  option(
    {
      key: 'unknownCodeCap',
      flag: '--unknown-code-cap',
      arg: '<n>',
      type: { kind: 'integer', min: 1, max: 1000 },
      group: 'Metrics',
      entryPoints: BOTH,
      description:
        'Distinct error codes unknown to the registry kept as their own kafka_error_code value; further ones are counted under other.',
    },
    'UNKNOWN_CODE_CAP',
  ),
  option(
    {
      key: 'maxFrameBytes',
      flag: '--max-frame-bytes',
      arg: '<bytes>',
      type: { kind: 'integer', min: 1024, max: 0x7fffffff },
      group: 'Metrics',
      entryPoints: BOTH,
      description:
        'Captured broker responses (by the kafkajs capture of zero-code mode, by the proxy of serve) up to this size are decoded; larger ones are counted as undecodable (reason oversized) and their error codes missed. Keep it at or above the largest consumer maxBytes (kafkajs default 10 MiB).',
    },
    'MAX_FRAME_BYTES',
  ),
  option(
    {
      key: 'otlpEndpoint',
      flag: '--otlp-endpoint',
      arg: '<url>',
      type: { kind: 'url' },
      group: 'OpenTelemetry',
      entryPoints: BOTH,
      description:
        'Also push the same metrics over OTLP/HTTP to this endpoint, e.g. http://collector:4318/v1/metrics. Not set: no push.',
    },
    'OTLP_ENDPOINT',
  ),
  option(
    {
      key: 'otlpInterval',
      flag: '--otlp-interval',
      arg: '<duration>',
      type: { kind: 'duration', minMs: 1000, maxMs: 3_600_000 },
      group: 'OpenTelemetry',
      entryPoints: BOTH,
      description: 'Interval between OTLP pushes.',
    },
    'OTLP_INTERVAL',
  ),
  option(
    {
      key: 'proxyUpstream',
      flag: '--proxy-upstream',
      arg: '<host:port,...>',
      type: { kind: 'address-list' },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description:
        "The Kafka cluster's bootstrap servers. Set, serve also runs the Kafka protocol proxy: applications use the proxy's listen address as their bootstrap servers, and every response on the way back is counted. Not set: no proxy.",
    },
    'PROXY_UPSTREAM',
  ),
  option(
    {
      key: 'proxyListen',
      flag: '--proxy-listen',
      arg: '<host:port>',
      type: { kind: 'address' },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description:
        "The proxy's bootstrap listener: the address applications give as bootstrap servers. Keep it on loopback in a sidecar.",
    },
    'PROXY_LISTEN',
  ),
  option(
    {
      key: 'proxyBrokerPorts',
      flag: '--proxy-broker-ports',
      arg: '<first-last>',
      type: { kind: 'port-range' },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description:
        'Ports of the per-broker listeners, on the listen host. Node id n listens on first+n when it fits the range; other node ids take the highest free port, in the order the proxy learns of them. A port another process holds is skipped, with a log line. A broker that finds no free port is logged and counted, and its clients fail rather than bypass the proxy.',
    },
    'PROXY_BROKER_PORTS',
  ),
  option(
    {
      key: 'proxyAdvertisedHost',
      flag: '--proxy-advertised-host',
      arg: '<host>',
      type: { kind: 'host' },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description:
        'The host written into the broker addresses the proxy hands to clients. Not set: the host of --proxy-listen.',
    },
    'PROXY_ADVERTISED_HOST',
  ),
  option(
    {
      key: 'proxyConnectTimeout',
      flag: '--proxy-connect-timeout',
      arg: '<duration>',
      type: { kind: 'duration', minMs: 100, maxMs: 120_000 },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description:
        'How long the proxy waits for a connection to a broker before it refuses the client (counted as a client-side NETWORK_EXCEPTION on connect).',
    },
    'PROXY_CONNECT_TIMEOUT',
  ),
  option(
    {
      key: 'proxyMaxConnections',
      flag: '--proxy-max-connections',
      arg: '<n>',
      type: { kind: 'integer', min: 1, max: 1_000_000 },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description:
        'Client connections the proxy keeps open at once, over all its listeners. A connection beyond it is closed at once, before any connection to a broker, and counted (kafka_error_exporter_proxy_closed_connections_total, reason connection_limit): a client that leaks connections is refused instead of growing the sidecar until it is killed with every connection of the pod. A busy connection holds up to two 256 KiB read buffers besides its socket buffers; size the memory limit with it.',
    },
    'PROXY_MAX_CONNECTIONS',
  ),
  option(
    {
      key: 'proxyTls',
      flag: '--proxy-tls',
      arg: '',
      type: { kind: 'boolean' },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description:
        "Speak TLS to the brokers (the cluster's SSL or SASL_SSL listener), originated by the proxy: applications keep speaking plaintext to it on loopback, so their SASL_SSL becomes SASL_PLAINTEXT. The broker certificate and name are checked.",
    },
    'PROXY_TLS',
  ),
  option(
    {
      key: 'proxyTlsCaFile',
      flag: '--proxy-tls-ca-file',
      arg: '<path>',
      type: { kind: 'path' },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description:
        'PEM file of the CA certificates that sign the broker certificates. Not set: the system roots of Node.js.',
    },
    'PROXY_TLS_CA_FILE',
  ),
  option(
    {
      key: 'proxyTlsCertFile',
      flag: '--proxy-tls-cert-file',
      arg: '<path>',
      type: { kind: 'path' },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description:
        "PEM file of the proxy's client certificate (chain), for brokers that require one (ssl.client.auth=required); with --proxy-tls-key-file. The applications' own certificates cannot be relayed.",
    },
    'PROXY_TLS_CERT_FILE',
  ),
  option(
    {
      key: 'proxyTlsKeyFile',
      flag: '--proxy-tls-key-file',
      arg: '<path>',
      type: { kind: 'path' },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description: 'PEM file of the private key of --proxy-tls-cert-file (unencrypted).',
    },
    'PROXY_TLS_KEY_FILE',
  ),
  option(
    {
      key: 'proxyTlsServerName',
      flag: '--proxy-tls-server-name',
      arg: '<host>',
      type: { kind: 'host' },
      group: 'Kafka proxy',
      entryPoints: SERVE_ONLY,
      description:
        'The name every broker certificate must carry (and the TLS server name sent). Not set: the host of each broker address, as the cluster advertises it.',
    },
    'PROXY_TLS_SERVER_NAME',
  ),
  option(
    {
      key: 'logLevel',
      flag: '--log-level',
      arg: '<level>',
      type: { kind: 'enum', values: LOG_LEVELS },
      group: 'Operations',
      entryPoints: BOTH,
      description: 'Level of the structured JSON log on stderr.',
    },
    'LOG_LEVEL',
  ),
  option(
    {
      key: 'shutdownTimeout',
      flag: '--shutdown-timeout',
      arg: '<duration>',
      type: { kind: 'duration', minMs: 0, maxMs: 600_000 },
      group: 'Operations',
      entryPoints: BOTH,
      description:
        'On SIGTERM or SIGINT (serve), or when the application exits (zero-code mode): how long to wait for in-flight scrapes and the OTLP flush before closing the remaining connections and exiting.',
    },
    'SHUTDOWN_TIMEOUT',
  ),
]);

/** The row of `key`. */
export function specOf(key: OptionKey): OptionSpec {
  return OPTION_TABLE.find((spec) => spec.key === key)!;
}

/** The default of an option, as stored in {@link DEFAULT_OPTIONS}. */
export function defaultOf(spec: OptionSpec): unknown {
  return DEFAULT_OPTIONS[spec.key];
}
