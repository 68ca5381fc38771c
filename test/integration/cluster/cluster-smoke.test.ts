// Acceptance of the multi-broker cluster and the real Java client: the infrastructure proxy tests run on.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { runJavaClient } from '../../support/kafka/java-client.js';
import type {
  JavaClientErrorCounts,
  JavaClientOutcome,
  JavaClientResult,
} from '../../support/kafka/java-client.js';
import { CLUSTER_KAFKA_VERSION, startKafkaCluster } from '../../support/kafka/kafka-cluster.js';
import type { KafkaCluster } from '../../support/kafka/kafka-cluster.js';
import { projectRoot } from '../../support/kafka/kafka-install.js';
import { isProcessAlive } from '../../support/kafka/process-group-guard.js';
import { describeWithKafka, uniqueName } from '../support/kafka-env.js';

interface ProduceResult extends JavaClientResult {
  readonly sent: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly errors: JavaClientErrorCounts;
  readonly metrics: Record<string, number>;
}

interface ConsumeResult extends JavaClientResult {
  readonly consumed: number;
  readonly complete: boolean;
  readonly partitions: number[];
  readonly commitErrors: JavaClientErrorCounts;
}

/** Fetches jars the way the global setup does: once, when their marker file is missing. */
function ensureFetched(script: string, marker: string): void {
  const root = projectRoot();
  if (existsSync(path.join(root, marker))) return;
  const run = spawnSync('bash', [path.join(root, 'scripts', 'kafka', script), CLUSTER_KAFKA_VERSION], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`bash scripts/kafka/${script} failed (exit ${run.status})`);
}

function errorCounts(counts: JavaClientErrorCounts): Record<string, { code: number; count: number }> {
  return Object.fromEntries(Object.entries(counts).map(([name, { code, count }]) => [name, { code, count }]));
}

describeWithKafka('a 3-broker Kafka 4.4.0 cluster and the real Java client', () => {
  let cluster: KafkaCluster;
  const pids: number[] = [];

  async function brokerIdsInMetadata(): Promise<number[]> {
    const kafka = new Kafka({
      clientId: uniqueName('cluster-smoke'),
      brokers: cluster.bootstrap.split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      return brokers.map((b) => b.nodeId).sort((a, b) => a - b);
    } finally {
      await admin.disconnect();
    }
  }

  /** Polls the metadata until it lists exactly `ids` (other brokers learn of a new one within moments). */
  async function expectBrokers(ids: number[]): Promise<void> {
    let seen: number[] = [];
    for (let i = 0; i < 40; i++) {
      seen = await brokerIdsInMetadata();
      if (JSON.stringify(seen) === JSON.stringify(ids)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(seen).toEqual(ids);
  }

  beforeAll(async () => {
    ensureFetched('fetch.sh', `.cache/kafka/${CLUSTER_KAFKA_VERSION}/.fetched`);
    ensureFetched('fetch-client.sh', `.cache/java-client/${CLUSTER_KAFKA_VERSION}/.fetched`);
    cluster = await startKafkaCluster({ brokerIds: [1, 2, 3], onLog: (line) => console.error(line) });
    pids.push(cluster.controllerPid, ...[...cluster.brokers.values()].map((b) => b.pid));
  });

  afterAll(async () => {
    if (!cluster) return;
    for (const broker of cluster.brokers.values()) pids.push(broker.pid);
    await cluster.stop();
    await cluster.stop();
    expect(pids.filter((pid) => isProcessAlive(pid))).toEqual([]);
    expect(existsSync(cluster.baseDir)).toBe(false);
  });

  it('serves brokers 1, 2 and 3, each on its own loopback port', async () => {
    expect([...cluster.brokers.keys()]).toEqual([1, 2, 3]);
    const ports = new Set([...cluster.brokers.values()].map((b) => b.port));
    expect(ports.size).toBe(3);
    expect(cluster.bootstrap.split(',')).toHaveLength(3);
    await expectBrokers([1, 2, 3]);
  });

  it('round-trips records through a replicated topic with the Java producer and consumer', async () => {
    const topic = uniqueName('cluster-rt');
    const produced = await runJavaClient<ProduceResult>('produce', {
      bootstrap: cluster.bootstrap,
      topic,
      count: 500,
      partitions: 3,
      'replication-factor': 3,
    });
    expect(produced).toMatchObject({ ok: true, sent: 500, succeeded: 500, failed: 0, errors: {} });
    expect(produced.metrics).toMatchObject({ 'record-send-total': 500, 'record-error-total': 0 });

    const consumed = await runJavaClient<ConsumeResult>('consume', {
      bootstrap: cluster.bootstrap,
      topic,
      group: uniqueName('cluster-group'),
      count: 500,
    });
    expect(consumed).toMatchObject({ ok: true, consumed: 500, complete: true, commitErrors: {} });
    expect(consumed.partitions).toEqual([0, 1, 2]);
  });

  it('fences the first of two transactional producers sharing an id with PRODUCER_FENCED (90)', async () => {
    const result = await runJavaClient<
      JavaClientResult & { first: JavaClientOutcome; second: JavaClientOutcome }
    >('fence', {
      bootstrap: cluster.bootstrap,
      topic: uniqueName('cluster-fence'),
      'transactional-id': uniqueName('tx'),
    });
    expect(result.first).toMatchObject({ error: 'PRODUCER_FENCED', code: 90, stage: 'commitTransaction' });
    expect(result.second).toMatchObject({ error: 'NONE', code: 0 });
  });

  it('provokes each admin error code exactly as often as it says', async () => {
    const result = await runJavaClient<
      JavaClientResult & { unexpected: number; caused: JavaClientErrorCounts }
    >('admin-errors', { bootstrap: cluster.bootstrap, prefix: uniqueName('cluster-errors') });
    expect(result.unexpected).toBe(0);
    expect(errorCounts(result.caused)).toEqual({
      TOPIC_ALREADY_EXISTS: { code: 36, count: 1 },
      INVALID_PARTITIONS: { code: 37, count: 2 },
      INVALID_REPLICATION_FACTOR: { code: 38, count: 1 },
      INVALID_TOPIC_EXCEPTION: { code: 17, count: 1 },
      INVALID_CONFIG: { code: 40, count: 1 },
      GROUP_ID_NOT_FOUND: { code: 69, count: 1 },
      OFFSET_OUT_OF_RANGE: { code: 1, count: 1 },
    });
  });

  it('surfaces THROTTLING_QUOTA_EXCEEDED (89) for every topic past a controller mutation quota', async () => {
    const clientId = uniqueName('cluster-quota');
    const quota = await runJavaClient('set-quota', {
      bootstrap: cluster.bootstrap,
      'client-id': clientId,
      key: 'controller_mutation_rate',
      value: 1,
    });
    expect(quota).toMatchObject({ ok: true, visible: true });
    // One request of 4 topics x 10 partitions: the first spends the quota, the other 3 are refused.
    const result = await runJavaClient<JavaClientResult & { created: number; errors: JavaClientErrorCounts }>(
      'admin-create-topics',
      {
        bootstrap: cluster.bootstrap,
        prefix: uniqueName('cluster-q'),
        count: 4,
        partitions: 10,
        'client-id': clientId,
      },
    );
    expect(result.created).toBe(1);
    expect(errorCounts(result.errors)).toEqual({ THROTTLING_QUOTA_EXCEEDED: { code: 89, count: 3 } });
  });

  it('adds broker 1001, which every broker then lists', async () => {
    const added = await cluster.addBroker(1001);
    pids.push(added.pid);
    expect(cluster.brokers.get(1001)).toEqual(added);
    await expectBrokers([1, 2, 3, 1001]);
  });

  it('restarts a SIGKILLed broker on the same port, and the cluster keeps serving meanwhile', async () => {
    const before = cluster.brokers.get(2);
    if (!before) throw new Error('broker 2 is not running');
    await cluster.killBroker(2);
    expect(isProcessAlive(before.pid)).toBe(false);
    expect(cluster.brokers.has(2)).toBe(false);

    const topic = uniqueName('cluster-kill');
    const produced = await runJavaClient<ProduceResult>('produce', {
      bootstrap: cluster.bootstrap,
      topic,
      count: 100,
      partitions: 3,
      'replication-factor': 2,
    });
    expect(produced).toMatchObject({ succeeded: 100, failed: 0 });

    const after = await cluster.restartBroker(2);
    pids.push(after.pid);
    expect(after.port).toBe(before.port);
    expect(after.pid).not.toBe(before.pid);
    await expectBrokers([1, 2, 3, 1001]);
  });
});
