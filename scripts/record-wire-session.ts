// Records the bytes of a real kafkajs session with a real broker, for the unit tests to replay offline.
//
// Usage: `npx tsx scripts/record-wire-session.ts` (starts the harness broker, SASL profile with a PLAINTEXT
// listener). Writes test/capture/fixtures/kafkajs-session.json: every connection's request and response bytes,
// and what the wire capture reported live, which the replay must reproduce exactly.
import { writeFileSync } from 'node:fs';
import type net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig } from 'kafkajs';
import { defaultSocketFactory, instrumentSocketFactory } from '../src/capture/kafkajs/socket-factory.js';
import type { SocketFactory } from '../src/capture/kafkajs/socket-factory.js';
import type { CaptureRecorder } from '../src/events.js';
import { apiName } from '../src/codes/api-names.js';
import { startBroker } from '../test/support/kafka/kafka-broker.js';

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '../test/capture/fixtures/kafkajs-session.json');

interface Connection {
  label: string;
  requests: Buffer[];
  responses: Buffer[];
}

/** A socket factory that keeps a copy of every byte each connection writes and reads. */
function teeFactory(label: string, connections: Connection[]): SocketFactory {
  const inner = defaultSocketFactory();
  return (args) => {
    const socket = inner(args);
    const connection: Connection = { label, requests: [], responses: [] };
    connections.push(connection);
    const write = socket.write;
    socket.write = function (this: net.Socket, chunk: unknown) {
      if (Buffer.isBuffer(chunk)) connection.requests.push(Buffer.from(chunk));
      // eslint-disable-next-line prefer-rest-params -- pass the caller's arguments exactly as given
      return Reflect.apply(write, this, arguments) as boolean;
    };
    socket.on('data', (chunk: Buffer) => connection.responses.push(Buffer.from(chunk)));
    return socket;
  };
}

function countingRecorder() {
  const responses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const undecodable: string[] = [];
  const add = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  const recorder: CaptureRecorder = {
    response: (_e, apiKey) => add(responses, apiName(apiKey)),
    responseError: (_e, apiKey, code) => add(errors, `${apiName(apiKey)}:${code}`),
    throttle: () => {},
    requestDuringThrottle: () => {},
    operationError: () => {},
    captureFailure: (kind) => undecodable.push(`failure:${kind}`),
    undecodableFrame: (reason) => undecodable.push(reason),
  };
  return { recorder, responses, errors, undecodable };
}

async function main(): Promise<void> {
  const broker = await startBroker({ profile: 'sasl', onLog: (line) => console.error(line) });
  const connections: Connection[] = [];
  const counts = countingRecorder();
  const client = (label: string, config: Partial<KafkaConfig>): Kafka =>
    new Kafka({
      clientId: `recorder-${label}`,
      logLevel: logLevel.NOTHING,
      brokers: [broker.plaintextBootstrap!],
      retry: { retries: 1, initialRetryTime: 50 },
      ...config,
      socketFactory: instrumentSocketFactory(teeFactory(label, connections), {
        recorder: counts.recorder,
        clientId: `recorder-${label}`,
      }),
    });
  try {
    const kafka = client('plaintext', {});
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'recorded', numPartitions: 3 }], waitForLeaders: true });
    await admin.createTopics({ topics: [{ topic: 'recorded', numPartitions: 3 }] }).catch(() => {}); // 36
    await admin.deleteGroups(['never-existed']).catch(() => {}); // 69
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic: 'missing', messages: [{ value: 'x' }] }).catch(() => {}); // 3, retried
    await producer.send({
      topic: 'recorded',
      messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `value ${i}` })),
    });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'recorded-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'recorded', fromBeginning: true });
    let received = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({ eachMessage: async () => void (++received === 20 && resolve()) });
    });
    await consumer.disconnect();
    await admin.disconnect();

    const sasl = client('sasl', {
      brokers: [broker.bootstrap],
      sasl: { mechanism: 'plain', username: broker.admin!.username, password: 'wrong-password' },
      retry: { retries: 0 },
    });
    const denied = sasl.admin();
    await denied.connect().catch(() => {}); // 58
    await denied.disconnect();
  } finally {
    await broker.stop();
  }
  const fixture = {
    recordedWith: { kafka: broker.version, kafkajs: '2.2.4', script: 'scripts/record-wire-session.ts' },
    expected: { responses: counts.responses, errors: counts.errors, undecodable: counts.undecodable },
    connections: connections
      .filter((c) => c.responses.length > 0)
      .map((c) => ({
        label: c.label,
        requests: Buffer.concat(c.requests).toString('base64'),
        responses: Buffer.concat(c.responses).toString('base64'),
      })),
  };
  writeFileSync(OUTPUT, `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(`wrote ${OUTPUT}: ${fixture.connections.length} connections`, fixture.expected);
}

await main();
