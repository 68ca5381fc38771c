// Shared by the acceptance scenarios: an instrumented kafkajs client whose prom-client exposition is parsed
// back into series, so that each test asserts the exact contract labels and values.
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig, LogEntry } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, afterEach, expect } from 'vitest';
import { createPrometheusSink } from '../../../src/sinks/prometheus.js';
import type { PrometheusSink } from '../../../src/sinks/prometheus.js';
import { startProxyUnderTest } from '../support/proxy-under-test.js';
import type { ProxyUnderTest } from '../support/proxy-under-test.js';
import { instrument } from '../../../src/exporter/instrument.js';
import type { InstrumentationHandle } from '../../../src/exporter/instrument.js';
import { kafkaEnv, uniqueName } from '../support/kafka-env.js';
import { withAdmin } from '../support/with-admin.js';

/** One sample of the exposition: family (with suffix), labels, value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus text exposition (format 0.0.4) into samples. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(LABEL_PAIR)) {
      labels[pair[1]!] = pair[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** A response error series as the scenarios compare it. */
export interface ResponseErrorRow {
  readonly code: number;
  readonly api: string;
  readonly count: number;
}

/** An operation error series as the scenarios compare it. */
export interface OperationErrorRow {
  readonly code: number;
  readonly type: string;
  readonly origin: 'broker' | 'client';
  readonly operation: string;
  readonly count: number;
}

/** A kafkajs client instrumented with `instrument(kafka, { registry })`, and readers of what it recorded. */
export interface InstrumentedClient {
  readonly kafka: Kafka;
  readonly clientId: string;
  readonly registry: Registry;
  readonly handle: InstrumentationHandle;
  /** Every sample of the registry now. */
  samples(): Promise<Sample[]>;
  /** `kafka_client_response_errors_total`, one row per series (sorted), labels checked against the contract. */
  responseErrors(): Promise<ResponseErrorRow[]>;
  /** `kafka_client_operation_errors_total`, one row per series (sorted), labels checked against the contract. */
  operationErrors(): Promise<OperationErrorRow[]>;
  /** Throttle time histogram `_count` and `_sum` (seconds) over all series, per API. */
  throttle(): Promise<Record<string, { count: number; sum: number }>>;
  /** Responses counted per API. */
  responses(): Promise<Record<string, number>>;
  /** Throttle times kafkajs itself logged (`Client side throttling in effect for Nms`), in milliseconds. */
  readonly kafkajsThrottleMs: number[];
}

const CATEGORY_OF_RETRIABLE = { true: 'retriable', false: null } as const;

// Every scenario client goes through a Kafka protocol proxy (one per upstream and test file, in this process),
// so that each scenario also proves that the proxy counts what the in-process capture counts, code by code.
// KAFKA_SCENARIO_PROXY=off connects the clients straight to the broker.
const THROUGH_PROXY = process.env.KAFKA_SCENARIO_PROXY !== 'off';
const proxies = new Map<string, Promise<ProxyUnderTest>>();
/** Clients of the current test that went through a proxy, with a sink `detach()` does not empty. */
const proxiedClients: { clientId: string; upstream: string; mirror: PrometheusSink }[] = [];

function proxyOf(upstream: readonly string[]): Promise<ProxyUnderTest> {
  const key = upstream.join(',');
  let proxy = proxies.get(key);
  if (proxy === undefined) {
    proxy = startProxyUnderTest(upstream);
    proxies.set(key, proxy);
  }
  return proxy;
}

/** Response errors and responses per (code or API), over every broker series of one client. */
function wireCounts(samples: readonly Sample[], clientId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.labels.messaging_client_id !== clientId || s.value === 0) continue;
    let key: string | undefined;
    if (s.name === 'kafka_client_response_errors_total')
      key = `error ${s.labels.kafka_error_code} ${s.labels.kafka_api_name}`;
    if (s.name === 'kafka_client_throttle_time_seconds_count') key = `throttled ${s.labels.kafka_api_name}`;
    if (key !== undefined) out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

afterEach(async () => {
  for (const { clientId, upstream, mirror } of proxiedClients.splice(0)) {
    const proxy = await proxies.get(upstream)!;
    const inProcess = wireCounts(parseExposition(await mirror.registry.metrics()), clientId);
    const viaProxy = wireCounts(await proxy.samples(), clientId);
    expect(viaProxy, `the proxy's counts of ${clientId}`).toEqual(inProcess);
  }
});
afterAll(async () => {
  for (const proxy of proxies.values()) await (await proxy).close();
  proxies.clear();
});

/**
 * Creates a kafkajs client for `brokers` (the PLAINTEXT listener by default) with short retries, instruments
 * it in one call, and returns readers of its registry.
 */
export function instrumentedClient(config: Partial<KafkaConfig> = {}): InstrumentedClient {
  const clientId = config.clientId ?? uniqueName('scenario');
  const registry = new Registry();
  const kafkajsThrottleMs: number[] = [];
  const logCreator = () => (entry: LogEntry) => {
    const match = /Client side throttling in effect for (\d+)ms/.exec(entry.log.message);
    if (match) kafkajsThrottleMs.push(Number(match[1]));
  };
  const env = kafkaEnv();
  const upstream = config.brokers ?? [...env.brokers];
  // The shared broker's listeners go through the proxy; a scenario's own broker (stopped mid-test) does not.
  const proxied =
    THROUGH_PROXY &&
    Array.isArray(upstream) &&
    [env.brokers, env.saslBrokers].some((b) => b.join() === upstream.join());
  const mirror = createPrometheusSink();
  if (proxied) proxiedClients.push({ clientId, upstream: upstream.join(','), mirror });
  const kafka = new Kafka({
    retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 },
    logLevel: logLevel.DEBUG,
    logCreator,
    ...config,
    brokers: proxied ? async () => [(await proxyOf(upstream)).bootstrap] : upstream,
    clientId,
  });
  const handle = instrument(kafka, { registry, sinks: [mirror] });

  const samples = async (): Promise<Sample[]> => parseExposition(await registry.metrics());
  const ofClient = (all: Sample[], name: string): Sample[] =>
    all.filter((s) => s.name === name && s.labels.messaging_client_id === clientId);

  return {
    kafka,
    clientId,
    registry,
    handle,
    kafkajsThrottleMs,
    samples,
    async responseErrors() {
      const rows = ofClient(await samples(), 'kafka_client_response_errors_total').map((s) => {
        const { labels } = s;
        checkClassification(labels);
        if (!labels.server_address || !/^\d+$/.test(labels.server_port ?? '')) {
          throw new Error(`response error without a broker: ${JSON.stringify(labels)}`);
        }
        return { code: Number(labels.kafka_error_code), api: labels.kafka_api_name!, count: s.value };
      });
      return rows.sort((a, b) => a.code - b.code || a.api.localeCompare(b.api));
    },
    async operationErrors() {
      const rows = ofClient(await samples(), 'kafka_client_operation_errors_total').map((s) => {
        const { labels } = s;
        checkClassification(labels);
        return {
          code: Number(labels.kafka_error_code),
          type: labels.error_type!,
          origin: labels.kafka_error_origin as 'broker' | 'client',
          operation: labels.messaging_operation_name!,
          count: s.value,
        };
      });
      return rows.sort((a, b) => a.code - b.code || a.operation.localeCompare(b.operation));
    },
    async throttle() {
      const out: Record<string, { count: number; sum: number }> = {};
      for (const s of await samples()) {
        if (s.labels.messaging_client_id !== clientId) continue;
        const api = s.labels.kafka_api_name!;
        if (s.name === 'kafka_client_throttle_time_seconds_count')
          (out[api] ??= { count: 0, sum: 0 }).count += s.value;
        if (s.name === 'kafka_client_throttle_time_seconds_sum')
          (out[api] ??= { count: 0, sum: 0 }).sum += s.value;
      }
      return out;
    },
    async responses() {
      const out: Record<string, number> = {};
      for (const s of ofClient(await samples(), 'kafka_client_responses_total')) {
        out[s.labels.kafka_api_name!] = (out[s.labels.kafka_api_name!] ?? 0) + s.value;
      }
      return out;
    },
  };
}

/** The error-class labels must be consistent: a code, its registry name, a category and retriable flag. */
function checkClassification(labels: Readonly<Record<string, string>>): void {
  const { kafka_error_code: code, error_type: type, kafka_error_category: category } = labels;
  const retriable = labels.kafka_error_retriable as 'true' | 'false' | undefined;
  if (!code || !type || !category || retriable === undefined) {
    throw new Error(`series without the error-class labels: ${JSON.stringify(labels)}`);
  }
  const expected = CATEGORY_OF_RETRIABLE[retriable];
  if (expected !== null && category !== expected) {
    throw new Error(`retriable=${retriable} but category ${category}: ${JSON.stringify(labels)}`);
  }
}

export { withAdmin };

/** A plain (uninstrumented) client for setup steps, so that setup never shows in the counts. */
export function setupKafka(): Kafka {
  return new Kafka({
    clientId: uniqueName('setup'),
    brokers: [...kafkaEnv().brokers],
    logLevel: logLevel.NOTHING,
  });
}

/** Creates topics with the given configs through the setup client and waits for their leaders. */
export async function createTopics(
  topics: readonly {
    topic: string;
    numPartitions?: number;
    configEntries?: { name: string; value: string }[];
  }[],
): Promise<void> {
  await withAdmin(setupKafka(), (admin) => admin.createTopics({ topics: [...topics], waitForLeaders: true }));
}

/** Awaits a promise that must reject and returns the rejection. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

/**
 * The first group request of a fresh broker creates `__consumer_offsets` (COORDINATOR_NOT_AVAILABLE and
 * COORDINATOR_LOAD_IN_PROGRESS, retried): an uninstrumented client pays that before a scenario counts.
 */
export async function warmUpGroupCoordinator(): Promise<void> {
  const admin = setupKafka().admin();
  await admin.connect();
  try {
    const groupId = uniqueName('warm-up');
    // Any coordinator lookup creates the offsets topic; kafkajs retries until the coordinator is loaded.
    await admin.describeGroups([groupId]);
  } finally {
    await admin.disconnect();
  }
}

/** Like warmUpGroupCoordinator, for the transaction state topic. */
export async function warmUpTransactionCoordinator(): Promise<void> {
  const producer = setupKafka().producer({
    transactionalId: uniqueName('warm-up'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    await (await producer.transaction()).abort();
  } finally {
    await producer.disconnect();
  }
}
