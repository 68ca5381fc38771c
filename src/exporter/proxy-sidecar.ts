// The protocol proxy as part of an exporter: it records into the exporter's recorder, its self-metrics join
// every output, and /readyz waits for it.
import { createKafkaProxy } from '../capture/proxy/kafka-proxy.js';
import type { KafkaProxy } from '../capture/proxy/kafka-proxy.js';
import { lookupCode } from '../codes/registry.js';
import type { ExporterOptions } from '../config/options.js';
import type { Logger } from '../logger.js';
import type { Exporter } from './create-exporter.js';
import { createProxyMetricSource } from './proxy-metrics.js';

/** Requests a connection may have in flight before the oldest is forgotten by the decoder. */
const MAX_PENDING_REQUESTS = 1024;

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
    listenHost: options.proxyListen.host,
    bootstrapPort: options.proxyListen.port,
    brokerBasePort: options.proxyBrokerPorts.first,
    brokerPortCount: options.proxyBrokerPorts.last - options.proxyBrokerPorts.first + 1,
    ...(options.proxyAdvertisedHost === null ? {} : { advertisedHost: options.proxyAdvertisedHost }),
    connectTimeoutMs: options.proxyConnectTimeout,
    recorder: exporter.recorder,
    tap: {
      topicLabel: options.topicLabel,
      isKnownCode: (code) => lookupCode(code) !== undefined,
      maxFrameBytes: options.maxFrameBytes,
      maxPendingRequests: MAX_PENDING_REQUESTS,
    },
    logger,
  });
  exporter.addMetricSource(createProxyMetricSource(proxy.stats));
  exporter.addReadinessCheck(() => proxy.ready);
  const bootstrap = await proxy.start();
  return { proxy, bootstrap };
}
