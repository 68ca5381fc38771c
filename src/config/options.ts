// The options of `serve`, resolved once from flags, environment and file, and their defaults in one constant.
import { CLASSIFIER_DEFAULTS } from '../codes/classify.js';
import type { ErrorCategory } from '../codes/types.js';
import type { LogLevel } from '../logger.js';
import type { HostPort, PortRange } from './value-types.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../capture/protocol/frame-reader.js';
import { CARDINALITY_DEFAULTS } from '../metrics/cardinality.js';

/** The categories a user may assign to a code (`success` is reserved for code 0). */
export type OverrideCategory = Exclude<ErrorCategory, 'success'>;

/** Every environment variable of the exporter starts with this. */
export const ENV_PREFIX = 'KAFKA_ERROR_EXPORTER_';

/** The resolved, validated options. Frozen; durations in milliseconds; `null` means "not set". */
export interface ExporterOptions {
  /** The YAML or JSON file the other options were read from, if any. */
  readonly config: string | null;
  /** Address to listen on. */
  readonly host: string;
  /** TCP port to listen on; 0 picks a free port (logged at start). */
  readonly port: number;
  /** A web configuration file in the style of Prometheus exporter-toolkit: TLS and basic auth. */
  readonly webConfigFile: string | null;
  readonly logLevel: LogLevel;
  /** Category by code (`"27"`); names given in flags, variables or the file are resolved to their code. */
  readonly categoryOverrides: Readonly<Record<string, OverrideCategory>>;
  /** Whether response errors carry the topic label (`messaging_destination_name`). */
  readonly topicLabel: boolean;
  /** Distinct topic label values kept before folding into the overflow value. */
  readonly topicLabelCap: number;
  /** Distinct Kafka client ids kept in `messaging_client_id` before folding into the overflow value. */
  readonly clientIdCap: number;
  /** Distinct broker address and port pairs kept in `server_address`/`server_port`. */
  readonly brokerCap: number;
  /** Distinct client error class names kept in `error_type` for client-side errors. */
  readonly clientErrorTypeCap: number;
  /** Series per metric family (the overflow series included) before new label sets fold into one. */
  readonly seriesBudget: number;
  /** Distinct unknown error codes kept as their own label value before folding into `other`. */
  readonly unknownCodeCap: number;
  /** Captured responses up to this many bytes are decoded; larger ones are counted `oversized`. */
  readonly maxFrameBytes: number;
  /** OTLP/HTTP metrics endpoint to push to, e.g. `http://collector:4318/v1/metrics`; `null` disables push. */
  readonly otlpEndpoint: string | null;
  /** Interval between OTLP pushes, in milliseconds. */
  readonly otlpInterval: number;
  /** Bound on a graceful shutdown (in-flight scrapes, OTLP flush), in milliseconds. */
  readonly shutdownTimeout: number;
  /** The Kafka cluster's bootstrap servers; set, `serve` runs the protocol proxy. `null`: no proxy. */
  readonly proxyUpstream: readonly HostPort[] | null;
  /** Where the proxy's bootstrap listener listens. */
  readonly proxyListen: HostPort;
  /** The ports of the proxy's per-broker listeners. */
  readonly proxyBrokerPorts: PortRange;
  /** The host written into the broker addresses clients get; `null`: the proxy's listen host. */
  readonly proxyAdvertisedHost: string | null;
  /** Time a connection to a broker may take before the client is refused, in milliseconds. */
  readonly proxyConnectTimeout: number;
  /** Client connections the proxy keeps open at once; one beyond it is closed at once. */
  readonly proxyMaxConnections: number;
  /** TLS to the brokers, originated by the proxy. */
  readonly proxyTls: boolean;
  /** PEM CA certificates that sign the broker certificates; `null`: Node's system roots. */
  readonly proxyTlsCaFile: string | null;
  /** The proxy's client certificate (PEM) and its key, for brokers that require one. */
  readonly proxyTlsCertFile: string | null;
  readonly proxyTlsKeyFile: string | null;
  /** The name broker certificates must carry; `null`: each broker's advertised host. */
  readonly proxyTlsServerName: string | null;
}

export type OptionKey = keyof ExporterOptions;

/** The defaults: what `serve` does with no flag, no environment variable and no file. */
export const DEFAULT_OPTIONS: ExporterOptions = Object.freeze({
  config: null,
  host: '0.0.0.0',
  port: 9464,
  webConfigFile: null,
  logLevel: 'info',
  categoryOverrides: Object.freeze({}),
  topicLabel: false,
  topicLabelCap: CARDINALITY_DEFAULTS.topics,
  clientIdCap: CARDINALITY_DEFAULTS.clientIds,
  brokerCap: CARDINALITY_DEFAULTS.brokers,
  clientErrorTypeCap: CARDINALITY_DEFAULTS.clientErrorTypes,
  seriesBudget: CARDINALITY_DEFAULTS.seriesPerFamily,
  unknownCodeCap: CLASSIFIER_DEFAULTS.maxUnknownCodes,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  otlpEndpoint: null,
  otlpInterval: 60_000,
  shutdownTimeout: 10_000,
  proxyUpstream: null,
  proxyListen: Object.freeze({ host: '127.0.0.1', port: 19092 }),
  proxyBrokerPorts: Object.freeze({ first: 19093, last: 19192 }),
  proxyAdvertisedHost: null,
  proxyConnectTimeout: 5_000,
  proxyMaxConnections: 1000,
  proxyTls: false,
  proxyTlsCaFile: null,
  proxyTlsCertFile: null,
  proxyTlsKeyFile: null,
  proxyTlsServerName: null,
});
