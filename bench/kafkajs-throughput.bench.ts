// kafkajs producer and consumer throughput against a real broker: plain kafkajs (the baseline) vs the same
// workload instrumented by kafka-error-exporter, @opentelemetry/instrumentation-kafkajs and
// @christiangalsterer/kafkajs-prometheus-exporter, each interleaved with its own baseline in the same run.
//
// Uses KAFKA_BROKERS when set; otherwise starts one local broker (the test harness's) for the file and stops it
// after the last benchmark. Each instrumentation gets its own copy of kafkajs, so that one's patching of the
// module can never reach the baseline or another's clients.
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
import type { Kafka, KafkaConfig, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { instrument } from '../src/capture/kafkajs/instrument.js';
import { startBroker } from '../src/testing/kafka-broker.js';
import type { KafkaBroker } from '../src/testing/kafka-broker.js';
import type { Benchmark } from './benchmark.js';

const require = createRequire(import.meta.url);
type KafkajsModule = typeof KafkajsExports;

/** A fresh copy of the kafkajs module (its own classes and prototypes). */
function freshKafkajs(): KafkajsModule {
  for (const key of Object.keys(require.cache)) {
    if (key.includes('/node_modules/kafkajs/')) delete require.cache[key];
  }
  return require('kafkajs') as KafkajsModule;
}

// Batches of about a second, so that a consumer's group join and leave and the scheduling noise of a shared
// machine weigh less against the per-message cost being compared: with 50,000 messages a consumer batch took
// 0.15-0.25 s, and two plain kafkajs copies measured against each other came out 0.94x.
const PRODUCE_SENDS = 300;
const MESSAGES_PER_SEND = 100;
const CONSUME_MESSAGES = 200_000;
const VALUE = 'v'.repeat(100);

let broker: KafkaBroker | undefined;
let brokers: string[] = [];
/** Benchmarks of this file not yet torn down: the broker stops after the last. */
let remaining = 0;
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

async function releaseBroker(): Promise<void> {
  remaining -= 1;
  if (remaining > 0 || broker === undefined) return;
  await broker.stop();
  broker = undefined;
  brokers = [];
}

function config(clientId: string): KafkaConfig {
  // logLevel NOTHING (0): kafkajs's own logging must not dominate either side.
  return { clientId, brokers, logLevel: 0 };
}

async function createTopic(kafka: Kafka, prefix: string): Promise<string> {
  const topic = `${prefix}-${process.pid}-${(topicCounter += 1)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  return topic;
}

/** How a candidate instruments: a Kafka built from its own kafkajs copy, and per-client hooks. */
interface Candidate {
  readonly name: string;
  kafka(clientId: string): Kafka;
  onProducer?(producer: Producer): void;
  onConsumer?(consumer: ReturnType<Kafka['consumer']>): void;
  close?(): Promise<void> | void;
}

function ours(): Candidate {
  const { Kafka } = freshKafkajs();
  const handles: { detach(): void }[] = [];
  return {
    name: 'kafka-error-exporter',
    kafka(clientId) {
      const kafka = new Kafka(config(clientId));
      handles.push(instrument(kafka, { registry: new Registry() }));
      return kafka;
    },
    close: () => handles.forEach((h) => h.detach()),
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
    kafka: (clientId) => new Kafka(config(clientId)),
    async close() {
      instrumentation.disable();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

function galsterer(): Candidate {
  const { Kafka } = freshKafkajs();
  return {
    name: '@christiangalsterer/kafkajs-prometheus-exporter',
    kafka: (clientId) => new Kafka(config(clientId)),
    // Its families register per client: a registry per client keeps repeated consumers apart.
    onProducer: (producer) =>
      monitorKafkaJSProducer(producer, new Registry(), { defaultLabels: { client_id: 'bench' } }),
    onConsumer: (consumer) =>
      monitorKafkaJSConsumer(consumer, new Registry(), { defaultLabels: { client_id: 'bench' } }),
  };
}

function plain(): Candidate {
  const { Kafka } = freshKafkajs();
  return { name: 'plain kafkajs', kafka: (clientId) => new Kafka(config(clientId)) };
}

/** One producer batch: PRODUCE_SENDS sends of MESSAGES_PER_SEND messages, acks all. */
function producerSide(make: () => Candidate) {
  let candidate: Candidate;
  let producer: Producer;
  let topic: string;
  return {
    async setup() {
      candidate = make();
      const kafka = candidate.kafka(`bench-producer-${candidate.name}`);
      topic = await createTopic(kafka, 'bench-produce');
      producer = kafka.producer();
      candidate.onProducer?.(producer);
      await producer.connect();
    },
    async run(): Promise<number> {
      const messages = Array.from({ length: MESSAGES_PER_SEND }, () => ({ value: VALUE }));
      for (let i = 0; i < PRODUCE_SENDS; i += 1) await producer.send({ topic, messages });
      return PRODUCE_SENDS * MESSAGES_PER_SEND;
    },
    async teardown() {
      await producer.disconnect();
      await candidate.close?.();
    },
  };
}

/** One consumer batch: a new group reads CONSUME_MESSAGES messages from the beginning. */
function consumerSide(make: () => Candidate, topicOf: () => string) {
  let candidate: Candidate;
  let kafka: Kafka;
  return {
    setup() {
      candidate = make();
      kafka = candidate.kafka(`bench-consumer-${candidate.name}`);
    },
    async run(): Promise<number> {
      const consumer = kafka.consumer({
        groupId: `bench-${process.pid}-${(groupCounter += 1)}`,
        // Short long-polls: disconnect waits for the fetch in flight, which must not dominate the batch.
        maxWaitTimeInMs: 50,
      });
      candidate.onConsumer?.(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: topicOf(), fromBeginning: true });
      let received = 0;
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachBatch: async ({ batch }) => {
            received += batch.messages.length;
            if (received >= CONSUME_MESSAGES) resolve();
          },
        });
      });
      await consumer.disconnect();
      return received;
    },
    teardown: () => candidate.close?.(),
  };
}

function producerBenchmark(label: string, make: () => Candidate, target: number): Benchmark {
  const base = producerSide(plain);
  const cand = producerSide(make);
  return {
    name: `kafkajs producer: ${label}`,
    measure: 'throughput',
    unit: 'msg',
    target,
    baselineName: 'plain kafkajs',
    async setup() {
      await acquireBroker();
      await base.setup();
      await cand.setup();
    },
    baseline: () => base.run(),
    candidate: () => cand.run(),
    async teardown() {
      await base.teardown();
      await cand.teardown();
      await releaseBroker();
    },
  };
}

let consumeTopic = '';
function consumerBenchmark(label: string, make: () => Candidate, target: number): Benchmark {
  const base = consumerSide(plain, () => consumeTopic);
  const cand = consumerSide(make, () => consumeTopic);
  return {
    name: `kafkajs consumer: ${label}`,
    measure: 'throughput',
    unit: 'msg',
    target,
    baselineName: 'plain kafkajs',
    async setup() {
      await acquireBroker();
      if (consumeTopic === '') {
        const kafka = plain().kafka('bench-feeder');
        consumeTopic = await createTopic(kafka, 'bench-consume');
        const producer = kafka.producer();
        await producer.connect();
        const messages = Array.from({ length: 1000 }, () => ({ value: VALUE }));
        for (let i = 0; i < CONSUME_MESSAGES / 1000; i += 1)
          await producer.send({ topic: consumeTopic, messages });
        await producer.disconnect();
      }
      base.setup();
      cand.setup();
    },
    baseline: () => base.run(),
    candidate: () => cand.run(),
    async teardown() {
      await base.teardown();
      await cand.teardown();
      await releaseBroker();
    },
  };
}

// Our target is the contract (>= 0.98); the peers' rows are shown for comparison, not held to one.
const PEER = 0;
const OTEL = 'peer @opentelemetry/instrumentation-kafkajs';
const GALSTERER = 'peer @christiangalsterer/kafkajs-prometheus-exporter';
const benchmarks: Benchmark[] = [
  producerBenchmark('kafka-error-exporter', ours, 0.98),
  producerBenchmark(OTEL, openTelemetry, PEER),
  producerBenchmark(GALSTERER, galsterer, PEER),
  consumerBenchmark('kafka-error-exporter', ours, 0.98),
  consumerBenchmark(OTEL, openTelemetry, PEER),
  consumerBenchmark(GALSTERER, galsterer, PEER),
];
remaining = benchmarks.length;

export default benchmarks;
