// The sidecar as users run it (`serve --proxy-upstream`, its own process) in front of a real 3-broker KRaft
// cluster on the newest Kafka 4.x: kcat (librdkafka) and kafkajs, configured with the proxy's bootstrap
// address only, produce, consume in a group and commit; no client connection ever reaches a broker port
// directly, also after a broker joins and after leaders move; every error is counted on /metrics.
import { readFileSync, readdirSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../../support/kafka/kafka-broker.js';
import { runJavaClient } from '../../support/kafka/java-client.js';
import type {
  JavaClientErrorCounts,
  JavaClientOutcome,
  JavaClientResult,
} from '../../support/kafka/java-client.js';
import { startKafkaCluster } from '../../support/kafka/kafka-cluster.js';
import type { KafkaCluster } from '../../support/kafka/kafka-cluster.js';
import { startServe } from '../../server/serve-process.js';
import type { ServeProcess } from '../../server/serve-process.js';
import { parseExposition } from '../scenarios/scenario-support.js';
import type { Sample } from '../scenarios/scenario-support.js';
import { clientsOf } from '../support/connections.js';
import { uniqueName } from '../support/kafka-env.js';
import { kcatMetadata, runKcat } from '../support/kcat.js';

let cluster: KafkaCluster;
let serve: ServeProcess & { url: string };
let bootstrap: string;
let brokerBase: number;

const BROKER_PORT_COUNT = 100;

beforeAll(async () => {
  cluster = await startKafkaCluster({ brokerIds: [1, 2, 3] });
  // The bootstrap port and the broker range, consecutive and free (ports next to a random one may be taken).
  const port = await freePortRange(1 + BROKER_PORT_COUNT);
  brokerBase = port + 1;
  bootstrap = `127.0.0.1:${port}`;
  serve = await startServe([
    '--proxy-upstream',
    cluster.bootstrap,
    '--proxy-listen',
    bootstrap,
    '--proxy-broker-ports',
    `${brokerBase}-${brokerBase + BROKER_PORT_COUNT - 1}`,
    '--log-level',
    'info',
  ]);
  await until(async () => (await fetch(`${serve.url}/readyz`)).status === 200, 30_000);
}, 240_000);

afterAll(async () => {
  serve?.child.kill('SIGTERM');
  if (serve) await serve.exited;
  await cluster?.stop();
}, 120_000);

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function samples(): Promise<Sample[]> {
  return parseExposition(await (await fetch(`${serve.url}/metrics`)).text());
}

/** Sum of one family's samples whose labels include `labels`. */
async function total(name: string, labels: Record<string, string> = {}): Promise<number> {
  return (await samples())
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/**
 * Every connection to a broker port that is not another broker's (replication) belongs to the proxy. With
 * `javaOnly`, this test process is left out too: the cluster launcher here probes brokers it (re)starts.
 */
function expectNoBypass(javaOnly = false, clientRuns: () => boolean = () => true): void {
  const brokers = [...cluster.brokers.values()];
  const owners = clientsOf(brokers.map((b) => b.port)).filter(
    (pid) => !brokers.some((b) => b.pid === pid) && !(javaOnly && pid === process.pid),
  );
  // A client that had finished before the look holds no connection: only then may nobody be connected.
  if (owners.length === 0) expect(clientRuns(), 'no client connected to a broker').toBe(false);
  const strangers = [...new Set(owners)].filter((pid) => pid !== serve.child.pid).map(describePid);
  expect(strangers).toEqual([]);
}

/** A process as `pid: command line`, for a failure message. */
function describePid(pid: number): string {
  try {
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 300)}`;
  } catch {
    return `${pid}: (gone)`;
  }
}

/**
 * Wire counts of one client on /metrics: code → count over every API. With `skipMetadataLag`, a Metadata answer
 * of 3 or 5 is left out: a broker that has not yet applied a topic just created says so, and clients ask again.
 */
async function wireErrors(clientId: string, skipMetadataLag = false): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of await samples()) {
    if (s.name !== 'kafka_client_response_errors_total' || s.labels.messaging_client_id !== clientId)
      continue;
    const lag = s.labels.kafka_api_name === 'Metadata' && ['3', '5'].includes(s.labels.kafka_error_code!);
    if (skipMetadataLag && lag) continue;
    out[s.labels.kafka_error_code!] = (out[s.labels.kafka_error_code!] ?? 0) + s.value;
  }
  return out;
}

/** The harness's error counts as code → count. */
function byCode(counts: JavaClientErrorCounts): Record<string, number> {
  return Object.fromEntries(Object.values(counts).map((e) => [String(e.code), e.count]));
}

function kafkajs(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100 },
  });
}

describe('serve --proxy-upstream in front of a 3-broker Kafka 4 cluster', () => {
  it('hands out only its own listeners: node id n on first port + n', async () => {
    const meta = await kcatMetadata({ brokers: [bootstrap] });
    expect(meta.brokers.map((b) => [b.id, b.name]).sort()).toEqual(
      [1, 2, 3].map((id) => [id, `127.0.0.1:${brokerBase + id}`]),
    );
    expect(await total('kafka_error_exporter_proxy_listeners')).toBe(4);
  });

  it('carries kcat and kafkajs through produce, group consume and commit, with no bypass', async () => {
    const topic = uniqueName('px-cluster');
    const admin = kafkajs(uniqueName('admin')).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 6, replicationFactor: 3 }],
      waitForLeaders: true,
    });
    await admin.disconnect();

    const kcatId = uniqueName('kcat');
    const kcat = { brokers: [bootstrap], properties: { 'client.id': kcatId } };
    const lines = Array.from({ length: 60 }, (_, i) => `m${i}`);
    await runKcat(kcat, ['-P', '-t', topic, '-X', 'acks=all'], lines.join('\n') + '\n');

    const kjsId = uniqueName('kjs');
    const producer = kafkajs(kjsId).producer();
    await producer.connect();
    await producer.send({ topic, messages: lines.map((value) => ({ value: `k-${value}` })) });
    await producer.disconnect();

    const group = uniqueName('grp');
    const consumed = await runKcat(kcat, [
      '-C',
      '-G',
      group,
      '-o',
      'beginning',
      '-c',
      '120',
      '-e',
      '-q',
      topic,
    ]);
    expect(consumed.split('\n').filter(Boolean)).toHaveLength(120);

    const consumer = kafkajs(kjsId).consumer({ groupId: uniqueName('kgrp') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({ eachMessage: async () => void seen++ });
    await until(() => seen >= 120, 60_000);
    expectNoBypass();
    await consumer.disconnect();

    for (const clientId of [kcatId, kjsId]) {
      for (const api of ['Produce', 'Fetch', 'OffsetCommit', 'JoinGroup']) {
        expect(
          await total('kafka_client_responses_total', { messaging_client_id: clientId, kafka_api_name: api }),
          `${clientId} ${api}`,
        ).toBeGreaterThan(0);
      }
    }
    // The upstream broker is the server_address, never the proxy's own listener.
    const ports = new Set(
      (await samples())
        .filter((s) => s.name === 'kafka_client_responses_total')
        .map((s) => Number(s.labels.server_port)),
    );
    for (const port of ports) expect([...cluster.brokers.values()].map((b) => b.port)).toContain(port);
  });

  it('opens a listener for a broker that joins later, node id 1001 beyond the direct range', async () => {
    await cluster.addBroker(1001);
    const clientId = uniqueName('kcat-new');
    let meta = await kcatMetadata({ brokers: [bootstrap] });
    await until(async () => {
      meta = await kcatMetadata({ brokers: [bootstrap] });
      return meta.brokers.some((b) => b.id === 1001);
    }, 30_000);
    const added = meta.brokers.find((b) => b.id === 1001)!;
    // Beyond the direct range: the highest port of the range.
    expect(added.name).toBe(`127.0.0.1:${brokerBase + BROKER_PORT_COUNT - 1}`);
    const topic = uniqueName('px-on-1001');
    const admin = kafkajs(uniqueName('admin')).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1001] }] }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    await runKcat(
      { brokers: [bootstrap], properties: { 'client.id': clientId } },
      ['-P', '-t', topic],
      'x\ny\n',
    );
    const out = await runKcat({ brokers: [bootstrap] }, [
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-c',
      '2',
      '-e',
      '-q',
    ]);
    expect(out.split('\n').filter(Boolean)).toEqual(['x', 'y']);
    expect(await total('kafka_error_exporter_proxy_listeners')).toBe(5);
    // A client holding a connection to the new broker holds it through the proxy.
    const producer = kafkajs(clientId).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'z' }] });
    expectNoBypass();
    await producer.disconnect();
  });

  it('carries the Java client (flexible versions, KIP-951) through produce, group consume and commit', async () => {
    const topic = uniqueName('px-java');
    const producing = runJavaClient<JavaClientResult & { succeeded: number }>(
      'produce',
      {
        bootstrap,
        topic,
        count: 20_000,
        partitions: 6,
        'replication-factor': 3,
        'client-id': 'java-producer',
        'linger-ms': 5,
      },
      { timeoutMs: 90_000 },
    );
    let finished = false;
    const done = (): void => void (finished = true);
    producing.then(done, done);
    // While it runs, its connections go to the proxy only.
    await until(
      async () =>
        (await total('kafka_client_responses_total', {
          messaging_client_id: 'java-producer',
          kafka_api_name: 'Produce',
        })) > 0,
      60_000,
    );
    expectNoBypass(false, () => !finished);
    expect(await producing).toMatchObject({ ok: true, succeeded: 20_000, failed: 0 });
    const consumed = await runJavaClient<JavaClientResult>(
      'consume',
      {
        bootstrap,
        topic,
        group: uniqueName('java-group'),
        count: 20_000,
        'client-id': 'java-consumer',
      },
      { timeoutMs: 90_000 },
    );
    expect(consumed).toMatchObject({ ok: true, consumed: 20_000, complete: true, commitErrors: {} });
    for (const api of ['FindCoordinator', 'JoinGroup', 'SyncGroup', 'Fetch', 'OffsetCommit', 'ApiVersions']) {
      expect(
        await total('kafka_client_responses_total', {
          messaging_client_id: 'java-consumer',
          kafka_api_name: api,
        }),
        api,
      ).toBeGreaterThan(0);
    }
  });

  it('counts PRODUCER_FENCED (90) of two transactional Java producers exactly once', async () => {
    const result = await runJavaClient<
      JavaClientResult & { first: JavaClientOutcome; second: JavaClientOutcome }
    >('fence', { bootstrap, topic: uniqueName('px-fence'), 'transactional-id': uniqueName('tx') });
    expect(result.first).toMatchObject({ error: 'PRODUCER_FENCED', code: 90 });
    expect(result.second).toMatchObject({ code: 0 });
    expect((await wireErrors('harness-fence-first'))['90']).toBe(1);
    // The second may meet CONCURRENT_TRANSACTIONS (51) while the first's transaction is aborted: never 90.
    expect((await wireErrors('harness-fence-second'))['90']).toBeUndefined();
  });

  it('counts each admin error the Java client provokes exactly, code by code', async () => {
    const clientId = uniqueName('java-admin');
    const result = await runJavaClient<
      JavaClientResult & { unexpected: number; caused: JavaClientErrorCounts }
    >('admin-errors', { bootstrap, prefix: uniqueName('px-errors'), 'client-id': clientId });
    expect(result.unexpected).toBe(0);
    const caused = byCode(result.caused);
    expect(Object.keys(caused).sort()).toEqual(['1', '17', '36', '37', '38', '40', '69']);
    // The admin looks up the leaders of the topic it has just created (deleteRecords) at any of four brokers.
    expect(await wireErrors(clientId, true)).toEqual(caused);
  });

  it('counts THROTTLING_QUOTA_EXCEEDED (89) once per topic the controller mutation quota refused', async () => {
    const clientId = uniqueName('java-quota');
    expect(
      await runJavaClient('set-quota', {
        bootstrap,
        'client-id': clientId,
        key: 'controller_mutation_rate',
        value: 1,
      }),
    ).toMatchObject({ ok: true });
    const result = await runJavaClient<JavaClientResult & { created: number; errors: JavaClientErrorCounts }>(
      'admin-create-topics',
      { bootstrap, prefix: uniqueName('px-q'), count: 4, partitions: 10, 'client-id': clientId },
    );
    expect(byCode(result.errors)).toEqual({ '89': 3 });
    expect(await wireErrors(clientId)).toEqual({ '89': 3 });
  });

  it('keeps the Java producer on the proxy while leaders move, NodeEndpoints rewritten', async () => {
    const topic = uniqueName('px-move');
    const producing = runJavaClient<
      JavaClientResult & { succeeded: number; metrics: Record<string, number> }
    >(
      'produce',
      {
        bootstrap,
        topic,
        // 32 s at 250/s: still producing after the restart below, which takes up to ~15 s on a busy machine.
        count: 8_000,
        rate: 250,
        partitions: 6,
        'replication-factor': 3,
        'client-id': 'java-mover',
        'linger-ms': 1,
      },
      { timeoutMs: 120_000 },
    );
    let finished = false;
    const done = (): void => void (finished = true);
    producing.then(done, done);
    await until(
      async () =>
        (await total('kafka_client_responses_total', {
          messaging_client_id: 'java-mover',
          kafka_api_name: 'Produce',
        })) > 20,
      60_000,
    );

    const running = (): boolean => !finished;
    expectNoBypass(true, running);
    await cluster.stopBroker(2);
    expectNoBypass(true, running);
    await cluster.restartBroker(2);
    expectNoBypass(true, running);
    const produced = await producing;
    expect(produced).toMatchObject({ ok: true, succeeded: 8_000 });
    const wire = await wireErrors('java-mover');
    // What the client itself says it retried (records, several per batch): retries happened exactly when the
    // wire shows retriable Produce errors, NOT_LEADER_OR_FOLLOWER (6) the commonest.
    const retries = Number(produced.metrics['record-retry-total'] ?? 0);
    const retriable = Object.values(wire).reduce((a, b) => a + b, 0);
    console.info(`leader move: wire errors ${JSON.stringify(wire)}, record-retry-total ${retries}`);
    expect(retriable > 0).toBe(retries > 0);
    expect(retriable).toBeLessThanOrEqual(retries);
    // Producers learnt the new leaders from NodeEndpoints, rewritten to the proxy's listeners.
    if ((wire['6'] ?? 0) > 0) {
      expect(
        await total('kafka_error_exporter_proxy_rewrites_total', { rewrite: 'node_endpoints' }),
      ).toBeGreaterThan(0);
    }
  }, 240_000); // stops and restarts under load: the waits' deadlines add up past the default

  it('survives a broker killed (SIGKILL) under load and restarted, leaking no listener or socket', async () => {
    const fds = (): number => readdirSync(`/proc/${serve.child.pid}/fd`).length;
    const topic = uniqueName('px-kill');
    const admin = kafkajs(uniqueName('admin')).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 6, replicationFactor: 3 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const listenersBefore = await total('kafka_error_exporter_proxy_listeners');
    const fdsBefore = fds();

    const clientId = uniqueName('kjs-load');
    const producer = kafkajs(clientId).producer();
    await producer.connect();
    let sent = 0;
    let failed = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        try {
          await producer.send({ topic, acks: 1, messages: [{ value: `v${sent}` }] });
          sent++;
        } catch {
          failed++;
        }
      }
    })();
    await until(() => sent > 20, 30_000);
    await cluster.killBroker(2);
    await until(() => sent > 200, 90_000);
    await cluster.restartBroker(2);
    const after = sent;
    await until(() => sent > after + 50, 60_000);
    // The kill was counted: refused reconnects (client-origin NETWORK_EXCEPTION on connect) and/or the
    // broker errors of moved leaders.
    const errorsOf = async (): Promise<number> =>
      (await total('kafka_client_response_errors_total', { messaging_client_id: clientId })) +
      (await total('kafka_client_operation_errors_total', { messaging_client_id: clientId }));
    expect(await errorsOf()).toBeGreaterThan(0);
    // After recovery the error rate returns to zero: a window of 50 sends with no new error.
    let recovered = false;
    for (let window = 0; window < 10 && !recovered; window++) {
      const [errors, from] = [await errorsOf(), sent];
      await until(() => sent > from + 50, 60_000);
      recovered = (await errorsOf()) === errors;
    }
    expect(recovered).toBe(true);
    running = false;
    await load;
    await producer.disconnect();
    expect(sent).toBeGreaterThan(250);
    expect(await total('kafka_error_exporter_proxy_listeners')).toBe(listenersBefore);
    await until(
      async () => (await total('kafka_error_exporter_proxy_connections', { side: 'client' })) === 0,
      30_000,
    );
    expect(fds()).toBeLessThanOrEqual(fdsBefore + 2);
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
    void failed;
  }, 240_000); // stops and restarts under load: the waits' deadlines add up past the default

  it('drains on SIGTERM: listeners close at once, the process exits within the grace period', async () => {
    const started = Date.now();
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(serve.stderr()).toMatch(/"msg":"stopped"/);
    const ports = [...cluster.brokers.values()].map((b) => b.port);
    expect(clientsOf(ports).filter((pid) => pid === serve.child.pid)).toEqual([]);
  });
});
