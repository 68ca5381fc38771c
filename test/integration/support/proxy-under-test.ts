// An in-process Kafka protocol proxy for integration tests: the real proxy and the real recorder, read back as
// Prometheus samples.
import { createKafkaProxy } from '../../../src/capture/proxy/kafka-proxy.js';
import type { KafkaProxy } from '../../../src/capture/proxy/kafka-proxy.js';
import { DEFAULT_OPTIONS } from '../../../src/config/options.js';
import { PROXY_THROTTLE_GRACE_MS } from '../../../src/exporter/proxy-sidecar.js';
import { silentLogger } from '../../../src/logger.js';
import { createRecorder } from '../../../src/record/recorder.js';
import { createPrometheusSink } from '../../../src/sinks/prometheus.js';
import { freePortRange } from '../../support/kafka/kafka-broker.js';
import { parseExposition } from '../scenarios/scenario-support.js';
import type { Sample } from '../scenarios/scenario-support.js';

export interface ProxyUnderTest {
  readonly proxy: KafkaProxy;
  /** `127.0.0.1:port` of the bootstrap listener. */
  readonly bootstrap: string;
  readonly brokerPorts: { readonly first: number; readonly last: number };
  samples(): Promise<Sample[]>;
  /** `kafka_client_response_errors_total` of one client id: code → API → count. */
  responseErrors(clientId: string): Promise<{ code: number; api: string; count: number }[]>;
  /** `kafka_client_responses_total` of one client id, per API. */
  responses(clientId: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Starts a proxy in front of `upstream` (`host:port` list) on free loopback ports. */
export async function startProxyUnderTest(upstream: readonly string[]): Promise<ProxyUnderTest> {
  const sink = createPrometheusSink();
  const recorder = createRecorder({ sinks: [sink], logger: silentLogger });
  const first = await freePortRange(20);
  const brokerPorts = { first, last: first + 19 };
  const proxy = createKafkaProxy({
    upstream: upstream.map((a) => {
      const at = a.lastIndexOf(':');
      return { host: a.slice(0, at), port: Number(a.slice(at + 1)) };
    }),
    bootstrapPort: 0,
    brokerBasePort: brokerPorts.first,
    brokerPortCount: 20,
    maxConnections: DEFAULT_OPTIONS.proxyMaxConnections,
    recorder,
    tap: {
      topicLabel: false,
      isKnownCode: () => true,
      maxFrameBytes: 16 << 20,
      maxPendingRequests: 1024,
      throttleGraceMs: PROXY_THROTTLE_GRACE_MS, // as serve's proxy
    },
    metadataRefreshMs: 0,
    logger: silentLogger,
  });
  const address = await proxy.start();
  const samples = async (): Promise<Sample[]> => parseExposition(await sink.registry.metrics());
  return {
    proxy,
    bootstrap: `127.0.0.1:${address.port}`,
    brokerPorts,
    samples,
    async responseErrors(clientId) {
      return (await samples())
        .filter(
          (s) => s.name === 'kafka_client_response_errors_total' && s.labels.messaging_client_id === clientId,
        )
        .map((s) => ({
          code: Number(s.labels.kafka_error_code),
          api: s.labels.kafka_api_name!,
          count: s.value,
        }))
        .sort((a, b) => a.code - b.code || a.api.localeCompare(b.api));
    },
    async responses(clientId) {
      const out: Record<string, number> = {};
      for (const s of await samples()) {
        if (s.name !== 'kafka_client_responses_total' || s.labels.messaging_client_id !== clientId) continue;
        out[s.labels.kafka_api_name!] = (out[s.labels.kafka_api_name!] ?? 0) + s.value;
      }
      return out;
    },
    async close() {
      await proxy.close(1000);
    },
  };
}
