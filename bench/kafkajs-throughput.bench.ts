// kafkajs producer and consumer throughput against a real broker: plain kafkajs (the baseline) vs the same
// workload instrumented by kafka-error-exporter, @opentelemetry/instrumentation-kafkajs and
// @christiangalsterer/kafkajs-prometheus-exporter, each interleaved with its own baseline in the same run.
//
// Uses KAFKA_BROKERS when set; otherwise starts one local broker (the test harness's) for the file, stopped by
// `dispose()` after the last benchmark. Baselines and the candidates that instrument per instance share one
// kafkajs copy; the one that patches the module (OpenTelemetry) gets its own, so that its patching can never
// reach the baseline or another's clients.
import { createRequire } from 'node:module';
import {
  monitorKafkaJSConsumer,
  monitorKafkaJSProducer,
} from '@christiangalsterer/kafkajs-prometheus-exporter';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type * as KafkajsExports from 'kafkajs';
import type { Consumer, Kafka, KafkaConfig, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { instrument } from '../src/exporter/instrument.js';
import { startBroker } from '../test/support/kafka/kafka-broker.js';
import type { KafkaBroker } from '../test/support/kafka/kafka-broker.js';
import type { Benchmark } from './benchmark.js';

const require = createRequire(import.meta.url);
type KafkajsModule = typeof KafkajsExports;

/**
 * A fresh copy of the kafkajs module (its own classes and prototypes), for an instrumentation that patches
 * the module: its patching must never reach the baseline or another's clients.
 */
function freshKafkajs(): KafkajsModule {
  for (const key of Object.keys(require.cache)) {
    if (key.includes('/node_modules/kafkajs/')) delete require.cache[key];
  }
  return require('kafkajs') as KafkajsModule;
}

// Batches of about a second of plain kafkajs on 2 cores. Per-round noise falls with batch length like white
// noise (300 sends per batch: ~9% between two plain runs; 1,200: ~4%), and a consumer's group join and leave
// weigh less against the per-message cost being compared.
const PRODUCE_SENDS = 1200;
const MESSAGES_PER_SEND = 100;
const CONSUME_MESSAGES = 800_000;
/**
 * Measured rounds of our rows: 40 ABBA quads. A quad's ratio varies by ~5% on this 2-core machine (a pure CPU
 * loop alone varies by ~2% between half-second batches here), so 40 quads put the median within about ±1.5%.
 */
const ROUNDS = 80;
/** The A/A control's rounds: 20 quads, enough to show the harness favours neither side. */
const CONTROL_ROUNDS = 40;
/** The peers' rows are for comparison only (OpenTelemetry's consumer runs at a tenth of the speed). */
const PEER_ROUNDS = 6;
const PEER_WARMUP = 1;
const VALUE = 'v'.repeat(100);

let broker: KafkaBroker | undefined;
let brokers: string[] = [];
let topicCounter = 0;
/** Consumer groups of the whole run: every batch reads from the beginning in a group never used before. */
let groupCounter = 0;

async function acquireBroker(): Promise<void> {
  if (brokers.length > 0) return;
  const external = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  if (external?.length) {
    brokers = external;
    return;
  }
  broker = await startBroker({ profile: 'plaintext' });
  brokers = [broker.bootstrap];
}

/** Stops the broker this file started, after its last benchmark (`npm run bench` calls it). */
export async function dispose(): Promise<void> {
  await broker?.stop();
  broker = undefined;
  brokers = [];
}

function config(clientId: string): KafkaConfig {
  // logLevel NOTHING (0): kafkajs's own logging must not dominate either side.
  return { clientId, brokers, logLevel: 0 };
}

async function createTopic(
  kafka: Kafka,
  prefix: string,
  configs: Record<string, string> = {},
): Promise<string> {
  const topic = `${prefix}-${process.pid}-${(topicCounter += 1)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: 3,
        configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
      },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
  return topic;
}

/** A new `Kafka` of a candidate, and how to take its instrumentation back. */
interface Client {
  readonly kafka: Kafka;
  release(): void;
}

/** How a candidate instruments: a fresh `Kafka` per batch, and per-client hooks. */
interface Candidate {
  readonly name: string;
  client(clientId: string): Client;
  onProducer?(producer: Producer): void;
  onConsumer?(consumer: Consumer): void;
  close?(): Promise<void> | void;
}

let sharedCopy: KafkajsModule | undefined;
/**
 * The kafkajs copy of every baseline and of the candidates that instrument per instance or per client (ours,
 * christiangalsterer's): the comparison is then the same code, instrumented or not. Two copies of plain
 * kafkajs measured against each other differ by themselves (A/A 1.020x, 95% CI 1.012-1.035 in one run, in
 * favour of the copy loaded second).
 */
function sharedKafkajs(): KafkajsModule {
  return (sharedCopy ??= freshKafkajs());
}

function plain(): Candidate {
  const { Kafka } = sharedKafkajs();
  return {
    name: 'plain kafkajs',
    client: (clientId) => ({ kafka: new Kafka(config(clientId)), release() {} }),
  };
}

function ours(): Candidate {
  const { Kafka } = sharedKafkajs();
  return {
    name: 'kafka-error-exporter',
    client(clientId) {
      const kafka = new Kafka(config(clientId));
      const handle = instrument(kafka, { registry: new Registry() });
      return { kafka, release: () => handle.detach() };
    },
  };
}

const droppingExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => undefined,
};

function openTelemetry(): Candidate {
  const tracerProvider = new TracerProvider({
    // Spans are ended and handed to an exporter that drops them: the cost of tracing without I/O.
    spanProcessors: [new SimpleSpanProcessor({ exporter: droppingExporter })],
  });
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 60_000,
      }),
    ],
  });
  const instrumentation = new KafkaJsInstrumentation();
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
  instrumentation.enable();
  // Loaded after enable(): the instrumentation's require hook patches this copy, as in an application.
  const { Kafka } = freshKafkajs();
  return {
    name: '@opentelemetry/instrumentation-kafkajs',
    client: (clientId) => ({ kafka: new Kafka(config(clientId)), release() {} }),
    async close() {
      instrumentation.disable();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

function galsterer(): Candidate {
  const { Kafka } = sharedKafkajs();
  return {
    name: '@christiangalsterer/kafkajs-prometheus-exporter',
    client: (clientId) => ({ kafka: new Kafka(config(clientId)), release() {} }),
    // Its families register per client: a registry per client keeps the batches' clients apart.
    onProducer: (producer) =>
      monitorKafkaJSProducer(producer, new Registry(), { defaultLabels: { client_id: 'bench' } }),
    onConsumer: (consumer) =>
      monitorKafkaJSConsumer(consumer, new Registry(), { defaultLabels: { client_id: 'bench' } }),
  };
}

/**
 * One side of a benchmark. Each batch gets a client of its own, connected before and disconnected after the
 * timed part: no client outlives a batch, so nothing about a side (its connections' broker threads, its
 * place in the broker's queues) persists from round to round.
 */
interface BatchSide {
  setup(): void;
  prepare(): Promise<void>;
  run(): Promise<number>;
  finish(): Promise<void>;
  teardown(): Promise<void> | void;
}

/** One producer batch: PRODUCE_SENDS sends of MESSAGES_PER_SEND messages, acks all, to the shared topic. */
function producerSide(make: () => Candidate): BatchSide {
  let candidate: Candidate;
  let client: Client;
  let producer: Producer;
  const messages = Array.from({ length: MESSAGES_PER_SEND }, () => ({ value: VALUE }));
  return {
    setup: () => void (candidate = make()),
    async prepare() {
      client = candidate.client('bench-producer');
      producer = client.kafka.producer();
      candidate.onProducer?.(producer);
      await producer.connect();
      // The first send loads the topic's metadata, which a long-lived producer does once.
      await producer.send({ topic: produceTopic, messages: [{ value: VALUE }] });
    },
    async run() {
      for (let i = 0; i < PRODUCE_SENDS; i += 1) await producer.send({ topic: produceTopic, messages });
      return PRODUCE_SENDS * MESSAGES_PER_SEND;
    },
    async finish() {
      await producer.disconnect();
      client.release();
    },
    teardown: () => candidate.close?.(),
  };
}

/** One consumer batch: a new consumer in a new group reads CONSUME_MESSAGES messages from the beginning. */
function consumerSide(make: () => Candidate): BatchSide {
  let candidate: Candidate;
  let client: Client;
  let consumer: Consumer;
  return {
    setup: () => void (candidate = make()),
    async prepare() {
      client = candidate.client('bench-consumer');
      consumer = client.kafka.consumer({
        groupId: `bench-${process.pid}-${(groupCounter += 1)}`,
        // Short long-polls: the fetch in flight at the end of a batch returns soon.
        maxWaitTimeInMs: 50,
      });
      candidate.onConsumer?.(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: consumeTopic, fromBeginning: true });
    },
    async run() {
      // Timed from the group join to the last message.
      let received = 0;
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachBatch: async ({ batch }) => {
            received += batch.messages.length;
            if (received >= CONSUME_MESSAGES) resolve();
          },
        });
      });
      return received;
    },
    async finish() {
      await consumer.disconnect();
      client.release();
    },
    teardown: () => candidate.close?.(),
  };
}

let produceTopic = '';
let consumeTopic = '';

/** The topics every benchmark of the file shares: one to produce to, one filled once to consume from. */
async function prepareTopics(): Promise<void> {
  if (consumeTopic !== '') return;
  const { kafka } = plain().client('bench-feeder');
  // Produce batches add ~12 MB each: keep the log small, as a long-running topic's retention would.
  produceTopic = await createTopic(kafka, 'bench-produce', {
    'retention.bytes': String(64 * 1024 * 1024),
    'segment.bytes': String(16 * 1024 * 1024),
  });
  consumeTopic = await createTopic(kafka, 'bench-consume');
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 1000 }, () => ({ value: VALUE }));
  for (let i = 0; i < CONSUME_MESSAGES / 1000; i += 1) await producer.send({ topic: consumeTopic, messages });
  await producer.disconnect();
}

function kafkajsBenchmark(
  workload: 'producer' | 'consumer',
  label: string,
  make: () => Candidate,
  target: number,
  rounds: number,
  warmup = 3,
): Benchmark {
  const side = workload === 'producer' ? producerSide : consumerSide;
  const sides = { baseline: side(plain), candidate: side(make) };
  return {
    name: `kafkajs ${workload}: ${label}`,
    measure: 'throughput',
    unit: 'msg',
    target,
    rounds,
    warmup,
    baselineName: 'plain kafkajs',
    async setup() {
      await acquireBroker();
      await prepareTopics();
      sides.baseline.setup();
      sides.candidate.setup();
    },
    prepare: (which) => sides[which].prepare(),
    baseline: () => sides.baseline.run(),
    candidate: () => sides.candidate.run(),
    finish: (which) => sides[which].finish(),
    async teardown() {
      await sides.baseline.teardown();
      await sides.candidate.teardown();
    },
  };
}

// Our target is the contract (>= 0.98); the A/A control (plain against plain) shows what the harness resolves,
// and the peers' rows are shown for comparison, not held to a target.
const NO_TARGET = 0;
const AA = 'plain kafkajs (A/A control)';
const OTEL = 'peer @opentelemetry/instrumentation-kafkajs';
const GALSTERER = 'peer @christiangalsterer/kafkajs-prometheus-exporter';
const benchmarks: Benchmark[] = [
  kafkajsBenchmark('producer', AA, plain, NO_TARGET, CONTROL_ROUNDS),
  kafkajsBenchmark('producer', 'kafka-error-exporter', ours, 0.98, ROUNDS),
  kafkajsBenchmark('producer', OTEL, openTelemetry, NO_TARGET, PEER_ROUNDS, PEER_WARMUP),
  kafkajsBenchmark('producer', GALSTERER, galsterer, NO_TARGET, PEER_ROUNDS, PEER_WARMUP),
  kafkajsBenchmark('consumer', AA, plain, NO_TARGET, CONTROL_ROUNDS),
  kafkajsBenchmark('consumer', 'kafka-error-exporter', ours, 0.98, ROUNDS),
  kafkajsBenchmark('consumer', OTEL, openTelemetry, NO_TARGET, PEER_ROUNDS, PEER_WARMUP),
  kafkajsBenchmark('consumer', GALSTERER, galsterer, NO_TARGET, PEER_ROUNDS, PEER_WARMUP),
];
export default benchmarks;
