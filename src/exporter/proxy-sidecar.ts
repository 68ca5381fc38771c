// The protocol proxy as part of an exporter: it records into the exporter's recorder, its self-metrics join
// every output, and /readyz waits for it.
import { createKafkaProxy } from '../capture/proxy/kafka-proxy.js';
import type { KafkaProxy } from '../capture/proxy/kafka-proxy.js';
import { readFileSync } from 'node:fs';
import type { UpstreamTls } from '../capture/proxy/upstream-dialer.js';
import { lookupCode } from '../codes/registry.js';
import { ConfigError } from '../config/config-error.js';
import type { ExporterOptions } from '../config/options.js';
import type { Logger } from '../logger.js';
import type { Exporter } from './create-exporter.js';
import { createProxyMetricSource } from './proxy-metrics.js';

/**
 * Requests arriving this soon after a throttled response passed the proxy may have been sent before the client
 * received it: they are not counted in kafka_client_requests_during_throttle_total. 25 ms was too short on a
 * loaded host (a compliant kafkajs consumer was counted twice in CI): the event loops of client and proxy can
 * each lag tens of ms, and a client that ignores throttles keeps sending well past 100 ms.
 */
export const PROXY_THROTTLE_GRACE_MS = 100;

/** Requests a connection may have in flight before the oldest is forgotten by the decoder. */
const MAX_PENDING_REQUESTS = 1024;

/** Reads one PEM file of the TLS options; an unreadable or empty file is a configuration error naming it. */
function readPem(key: keyof ExporterOptions, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    throw new ConfigError(key, `cannot read ${key} ${JSON.stringify(path)} (${code})`, { cause: error });
  }
  if (!text.includes('-----BEGIN '))
    throw new ConfigError(key, `${key} ${JSON.stringify(path)} holds no PEM block`);
  return text;
}

/** The TLS settings of the proxy's broker connections, files read once at start. */
export function upstreamTlsOf(options: ExporterOptions): UpstreamTls | null {
  if (!options.proxyTls) return null;
  return {
    ...(options.proxyTlsCaFile === null ? {} : { ca: readPem('proxyTlsCaFile', options.proxyTlsCaFile) }),
    ...(options.proxyTlsCertFile === null
      ? {}
      : { cert: readPem('proxyTlsCertFile', options.proxyTlsCertFile) }),
    ...(options.proxyTlsKeyFile === null ? {} : { key: readPem('proxyTlsKeyFile', options.proxyTlsKeyFile) }),
    ...(options.proxyTlsServerName === null ? {} : { serverName: options.proxyTlsServerName }),
  };
}

/** A running proxy and the address of its bootstrap listener. */
export interface ProxySidecar {
  readonly proxy: KafkaProxy;
  readonly bootstrap: { readonly host: string; readonly port: number };
}

/**
 * Starts the proxy of `options.proxyUpstream` on `exporter`.
 * @throws the listen error (`code` EADDRINUSE…) when the bootstrap listener cannot be opened.
 */
export async function startProxySidecar(
  exporter: Exporter,
  options: ExporterOptions,
  logger: Logger,
): Promise<ProxySidecar> {
  if (options.proxyUpstream === null) throw new Error('startProxySidecar: proxyUpstream is not set');
  const proxy = createKafkaProxy({
    upstream: options.proxyUpstream,
    upstreamTls: upstreamTlsOf(options),
    listenHost: options.proxyListen.host,
    bootstrapPort: options.proxyListen.port,
    brokerBasePort: options.proxyBrokerPorts.first,
    brokerPortCount: options.proxyBrokerPorts.last - options.proxyBrokerPorts.first + 1,
    ...(options.proxyAdvertisedHost === null ? {} : { advertisedHost: options.proxyAdvertisedHost }),
    connectTimeoutMs: options.proxyConnectTimeout,
    maxConnections: options.proxyMaxConnections,
    recorder: exporter.recorder,
    tap: {
      topicLabel: options.topicLabel,
      isKnownCode: (code) => lookupCode(code) !== undefined,
      maxFrameBytes: options.maxFrameBytes,
      maxPendingRequests: MAX_PENDING_REQUESTS,
      throttleGraceMs: PROXY_THROTTLE_GRACE_MS,
    },
    logger,
  });
  exporter.addMetricSource(createProxyMetricSource(proxy.stats));
  exporter.addReadinessCheck(() => proxy.ready);
  const bootstrap = await proxy.start();
  return { proxy, bootstrap };
}
