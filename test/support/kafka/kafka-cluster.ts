// Starts a real multi-node KRaft Kafka cluster (one dedicated controller, N brokers) from the Maven jars.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, newClusterId } from './kafka-broker.js';
import {
  CLUSTER_HOST,
  clusterLogTails,
  createClusterNode,
  killClusterNode,
  launchClusterNode,
  stopClusterNode,
  waitForBrokers,
} from './kafka-cluster-node.js';
import type { ClusterNode, ClusterNodeSettings } from './kafka-cluster-node.js';
import { resolveKafkaInstall } from './kafka-install.js';
import type { KafkaInstall } from './kafka-install.js';

/** The Kafka version of the cluster: the newest 4.x on Maven Central. `bash scripts/kafka/fetch.sh 4.4.0`. */
export const CLUSTER_KAFKA_VERSION = '4.4.0';

export interface StartClusterOptions {
  /** Node ids of the brokers, any distinct non-negative integers (e.g. 1, 2, 3, 1001). */
  brokerIds: readonly number[];
  /** Kafka version whose jars `scripts/kafka/fetch.sh` fetched. @default CLUSTER_KAFKA_VERSION */
  version?: string;
  /** @default `<project>/.cache/kafka/<version>/libs` */
  libsDir?: string;
  /** Node id of the one KRaft controller; no broker may use it. @default 9990 */
  controllerId?: number;
  /** Extra server.properties entries for every node (controller and brokers), applied last. */
  properties?: Readonly<Record<string, string>>;
  /** Replication factor of the internal topics (offsets, transactions). @default min(3, brokerIds.length) */
  internalReplicationFactor?: number;
  /** Maximum heap of each broker JVM. @default '384m' */
  heap?: string;
  /** Maximum heap of the controller JVM. @default '256m' */
  controllerHeap?: string;
  /** Time a start (or an added or restarted broker) may take until it serves. @default 120_000 */
  readyTimeoutMs?: number;
  /** Reuse (or, on the first clean stop, create) class-data-sharing archives. @default true */
  classDataSharing?: boolean;
  /** Time between SIGTERM and SIGKILL when stopping a node. @default 15_000 */
  stopGraceMs?: number;
  /** Where progress and failures are reported (log tails on a failed start). @default no output */
  onLog?: (line: string) => void;
}

/** A running broker of the cluster. */
export interface ClusterBroker {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  /** Pid of the broker JVM, also its process group id. */
  readonly pid: number;
}

/** A running cluster. `stop()` is safe to call twice and leaves no JVM and no data behind. */
export interface KafkaCluster {
  readonly version: string;
  readonly clusterId: string;
  readonly controllerId: number;
  /** Pid of the controller JVM (also its process group id). */
  readonly controllerPid: number;
  /** Comma-separated `host:port` of the brokers running now. */
  readonly bootstrap: string;
  /** The brokers running now, by node id; a stopped or killed broker is absent until restarted. */
  readonly brokers: ReadonlyMap<number, ClusterBroker>;
  /** Milliseconds from the first storage format until every broker served. */
  readonly startMs: number;
  /** The folder holding every node's data, properties and log. */
  readonly baseDir: string;
  /** The log file of a node (broker or controller id); it survives restarts. */
  logFile(nodeId: number): string;
  /** Formats and starts a new broker on a fresh port; resolves once it is in the metadata it serves. */
  addBroker(id: number): Promise<ClusterBroker>;
  /** SIGTERM (a controlled shutdown), SIGKILL after the grace period; keeps its port and data. */
  stopBroker(id: number): Promise<void>;
  /** SIGKILL at once: no controlled shutdown, the controller fences it after its session times out. */
  killBroker(id: number): Promise<void>;
  /** Starts a stopped or killed broker (a running one is stopped first) on the same port and data dir. */
  restartBroker(id: number): Promise<ClusterBroker>;
  stop(): Promise<void>;
}

const DEFAULT_CONTROLLER_ID = 9990;

function validateIds(brokerIds: readonly number[], controllerId: number): void {
  for (const id of [...brokerIds, controllerId]) {
    if (!Number.isInteger(id) || id < 0 || id > 2 ** 31 - 1) throw new Error(`Invalid Kafka node id: ${id}`);
  }
  const seen = new Set<number>();
  for (const id of brokerIds) {
    if (seen.has(id)) throw new Error(`Duplicate broker id: ${id}`);
    if (id === controllerId) throw new Error(`Broker id ${id} is the controller's id`);
    seen.add(id);
  }
}

/** The running cluster's nodes and the operations on them; the public object delegates here. */
class Cluster {
  readonly nodes = new Map<number, ClusterNode>();
  readonly brokers = new Map<number, ClusterBroker>();
  private readonly usedPorts: Set<number>;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly settings: ClusterNodeSettings,
    readonly controllerId: number,
    readonly controllerPort: number,
    private readonly readyTimeoutMs: number,
  ) {
    this.usedPorts = new Set([controllerPort]);
  }

  /** A free loopback port none of this cluster's nodes has (a restarted broker keeps its own). */
  async freshPort(): Promise<number> {
    for (;;) {
      const port = await freePort();
      if (!this.usedPorts.has(port)) {
        this.usedPorts.add(port);
        return port;
      }
    }
  }

  async create(role: ClusterNode['role'], id: number, port: number): Promise<ClusterNode> {
    const node = await createClusterNode(this.settings, role, id, port);
    this.nodes.set(id, node);
    return node;
  }

  launch(node: ClusterNode): void {
    const pid = launchClusterNode(this.settings, node);
    if (node.role === 'broker')
      this.brokers.set(node.id, { id: node.id, host: CLUSTER_HOST, port: node.port, pid });
  }

  async waitForAll(brokers: readonly ClusterNode[], watched: readonly ClusterNode[]): Promise<void> {
    const bootstrap = brokers.map((n) => `${CLUSTER_HOST}:${n.port}`);
    const ids = brokers.map((n) => n.id);
    await waitForBrokers(bootstrap, ids, watched, Date.now() + this.readyTimeoutMs);
  }

  broker(id: number): ClusterNode {
    const node = this.nodes.get(id);
    if (!node || node.role !== 'broker') throw new Error(`No broker with id ${id} in this cluster`);
    return node;
  }

  async stopBroker(id: number): Promise<void> {
    this.brokers.delete(id);
    await stopClusterNode(this.settings, this.broker(id));
  }

  async killBroker(id: number): Promise<void> {
    this.brokers.delete(id);
    await killClusterNode(this.broker(id));
  }

  /** Starts a formatted broker and waits until it serves itself in its own metadata. */
  async startBroker(node: ClusterNode): Promise<ClusterBroker> {
    this.launch(node);
    try {
      await this.waitForAll([node], [node]);
    } catch (error) {
      const tail = clusterLogTails([node]);
      await this.killBroker(node.id);
      throw new Error(`broker ${node.id}: ${(error as Error).message}\n${tail}`);
    }
    const broker = this.brokers.get(node.id);
    if (!broker) throw new Error(`broker ${node.id} was stopped while starting`);
    return broker;
  }

  async addBroker(id: number): Promise<ClusterBroker> {
    validateIds(
      [...this.nodes.keys(), id].filter((n) => n !== this.controllerId),
      this.controllerId,
    );
    return this.startBroker(await this.create('broker', id, await this.freshPort()));
  }

  async restartBroker(id: number): Promise<ClusterBroker> {
    await this.stopBroker(id);
    return this.startBroker(this.broker(id));
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const all = [...this.nodes.values()];
      this.brokers.clear();
      // Brokers first, so their controlled shutdown still has a controller to talk to.
      await Promise.all(all.filter((n) => n.role === 'broker').map((n) => stopClusterNode(this.settings, n)));
      await Promise.all(all.map((n) => stopClusterNode(this.settings, n)));
      rmSync(this.settings.baseDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}

async function startOnce(options: StartClusterOptions, install: KafkaInstall): Promise<KafkaCluster> {
  const started = Date.now();
  const controllerId = options.controllerId ?? DEFAULT_CONTROLLER_ID;
  const controllerPort = await freePort();
  const cluster = new Cluster(
    {
      install,
      baseDir: mkdtempSync(path.join(tmpdir(), 'kafka-cluster-')),
      clusterId: newClusterId(),
      quorumVoters: `${controllerId}@${CLUSTER_HOST}:${controllerPort}`,
      internalReplicationFactor: options.internalReplicationFactor ?? Math.min(3, options.brokerIds.length),
      properties: options.properties,
      brokerHeap: options.heap ?? '384m',
      controllerHeap: options.controllerHeap ?? '256m',
      classDataSharing: options.classDataSharing ?? true,
      stopGraceMs: options.stopGraceMs ?? 15_000,
    },
    controllerId,
    controllerPort,
    options.readyTimeoutMs ?? 120_000,
  );
  let controllerPid = -1;
  try {
    const brokers: ClusterNode[] = [];
    for (const id of options.brokerIds)
      brokers.push(await cluster.create('broker', id, await cluster.freshPort()));
    // Brokers start while the controller is formatted: they retry until its quorum is up.
    for (const node of brokers) cluster.launch(node);
    const controller = await cluster.create('controller', controllerId, controllerPort);
    cluster.launch(controller);
    controllerPid = controller.running?.pid ?? -1;
    await cluster.waitForAll(brokers, [controller, ...brokers]);
  } catch (error) {
    const tails = clusterLogTails(cluster.nodes.values());
    await cluster.stop();
    throw new Error(`kafka cluster start failed: ${(error as Error).message}\n${tails}`);
  }
  const startMs = Date.now() - started;
  const { baseDir, clusterId } = cluster.settings;
  const list = [...cluster.brokers.values()].map((b) => `${b.id}@${b.host}:${b.port}`).join(', ');
  options.onLog?.(
    `kafka ${install.version} cluster ready in ${startMs} ms: controller ${controllerId}, brokers ${list} (${baseDir})`,
  );
  return {
    version: install.version,
    clusterId,
    controllerId,
    controllerPid,
    get bootstrap() {
      return [...cluster.brokers.values()].map((b) => `${b.host}:${b.port}`).join(',');
    },
    brokers: cluster.brokers,
    startMs,
    baseDir,
    logFile: (nodeId) => {
      const node = cluster.nodes.get(nodeId);
      if (!node) throw new Error(`No node with id ${nodeId} in this cluster`);
      return node.logFile;
    },
    addBroker: (id) => cluster.addBroker(id),
    stopBroker: (id) => cluster.stopBroker(id),
    killBroker: (id) => cluster.killBroker(id),
    restartBroker: (id) => cluster.restartBroker(id),
    stop: () => cluster.stop(),
  };
}

/**
 * Formats and starts a KRaft cluster on 127.0.0.1: one dedicated controller (static quorum) and one
 * broker per id in `brokerIds`, each on its own free port, all JVMs in parallel. Resolves once every broker
 * is in the metadata and the group coordinator is up. A failed start is retried once with fresh dirs and
 * ports (the first failure goes to `onLog`); the second rejects with every node's log tail.
 */
export async function startKafkaCluster(options: StartClusterOptions): Promise<KafkaCluster> {
  if (options.brokerIds.length === 0) throw new Error('startKafkaCluster: brokerIds is empty');
  validateIds(options.brokerIds, options.controllerId ?? DEFAULT_CONTROLLER_ID);
  const install = resolveKafkaInstall({
    version: options.version ?? CLUSTER_KAFKA_VERSION,
    ...(options.libsDir ? { libsDir: options.libsDir } : {}),
  });
  try {
    return await startOnce(options, install);
  } catch (error) {
    options.onLog?.(`${(error as Error).message}\nretrying once`);
    return startOnce(options, install);
  }
}
