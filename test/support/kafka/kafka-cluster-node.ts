// One node of the multi-node KRaft test cluster: its files, its JVM, and waiting until brokers serve.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { planClassArchive } from './broker-class-archive.js';
import type { ClassArchivePlan } from './broker-class-archive.js';
import { BROKER_JVM_FLAGS, logTail, newClusterId, stopChild, waitForExit } from './kafka-broker.js';
import { renderClusterNodeProperties } from './kafka-cluster-properties.js';
import type { ClusterNodeRole } from './kafka-cluster-properties.js';
import { runKafkaTool } from './kafka-install.js';
import type { KafkaInstall } from './kafka-install.js';
import { guardProcessGroup, signalGroup } from './process-group-guard.js';

/** The loopback address every node listens on. */
export const CLUSTER_HOST = '127.0.0.1';

/** What every node of one cluster shares. */
export interface ClusterNodeSettings {
  readonly install: KafkaInstall;
  /** Holds one folder per node; the controller's guard removes it if this process dies. */
  readonly baseDir: string;
  readonly clusterId: string;
  /** `controller.quorum.voters`. */
  readonly quorumVoters: string;
  readonly internalReplicationFactor: number;
  readonly properties: Readonly<Record<string, string>> | undefined;
  readonly brokerHeap: string;
  readonly controllerHeap: string;
  readonly classDataSharing: boolean;
  readonly stopGraceMs: number;
}

interface NodeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly release: () => void;
  readonly archive: ClassArchivePlan | undefined;
}

/** A node's fixed identity (id, port, files) and its JVM while one runs. */
export interface ClusterNode {
  readonly role: ClusterNodeRole;
  readonly id: number;
  readonly port: number;
  readonly propsFile: string;
  /** Appended to by every run of the node, so a restart keeps the earlier runs' lines. */
  readonly logFile: string;
  running: NodeProcess | undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What `StorageTool format` writes into a broker-only node's log dir (meta.properties v1, Kafka 3.7+). */
function brokerMetaProperties(clusterId: string, nodeId: number): string {
  // A directory id is a random Uuid, generated like the cluster id.
  return `version=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\ndirectory.id=${newClusterId()}\n`;
}

/**
 * Writes a node's properties and formats its storage with the cluster id. The controller is formatted by
 * StorageTool (it needs the bootstrap metadata checkpoint); a broker-only node gets the one file StorageTool
 * would write for it, `meta.properties`, directly: one JVM less per broker, about 1.5 s of CPU each.
 */
export async function createClusterNode(
  settings: ClusterNodeSettings,
  role: ClusterNodeRole,
  id: number,
  port: number,
): Promise<ClusterNode> {
  const dir = path.join(settings.baseDir, `${role}-${id}`);
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const propsFile = path.join(dir, 'server.properties');
  writeFileSync(
    propsFile,
    renderClusterNodeProperties({
      role,
      nodeId: id,
      dataDir,
      port,
      quorumVoters: settings.quorumVoters,
      internalReplicationFactor: settings.internalReplicationFactor,
      ...(settings.properties ? { extra: settings.properties } : {}),
    }),
  );
  if (role === 'controller') {
    const args = ['format', '-t', settings.clusterId, '-c', propsFile];
    await runKafkaTool(settings.install, 'kafka.tools.StorageTool', args);
  } else {
    writeFileSync(path.join(dataDir, 'meta.properties'), brokerMetaProperties(settings.clusterId, id));
  }
  return { role, id, port, propsFile, logFile: path.join(dir, 'node.log'), running: undefined };
}

/** Spawns the node's JVM as the leader of its own process group, guarded against this process dying. */
export function launchClusterNode(settings: ClusterNodeSettings, node: ClusterNode): number {
  const heap = node.role === 'controller' ? settings.controllerHeap : settings.brokerHeap;
  // Broker-only and controller-only JVMs load different classes than the combined single-node broker.
  const archive = settings.classDataSharing
    ? planClassArchive(settings.install, path.dirname(node.propsFile), `cluster-${node.role}`)
    : undefined;
  const logFd = openSync(node.logFile, 'a');
  const argv = [
    `-Xmx${heap}`,
    ...BROKER_JVM_FLAGS,
    ...(archive?.flags ?? []),
    settings.install.logConfigFlag,
    '-cp',
    settings.install.classpath,
    'kafka.Kafka',
    node.propsFile,
  ];
  const child = spawn('java', argv, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  child.on('error', () => {});
  child.unref();
  if (child.pid === undefined) throw new Error(`could not spawn java for ${node.role} ${node.id}`);
  // The controller outlives every broker, so its guard is the one that removes the cluster's folder.
  const dir = node.role === 'controller' ? settings.baseDir : undefined;
  const release = guardProcessGroup(child.pid, dir, Math.ceil(settings.stopGraceMs / 1000));
  node.running = { child, pid: child.pid, release, archive };
  return child.pid;
}

/** SIGTERM (for a broker: a controlled shutdown), SIGKILL after the grace period. No-op when not running. */
export async function stopClusterNode(settings: ClusterNodeSettings, node: ClusterNode): Promise<void> {
  const running = node.running;
  if (!running) return;
  node.running = undefined;
  const clean = await stopChild(running.child, running.pid, settings.stopGraceMs);
  running.release();
  running.archive?.publish(clean);
}

/** SIGKILL at once and wait for the exit. No-op when not running. */
export async function killClusterNode(node: ClusterNode): Promise<void> {
  const running = node.running;
  if (!running) return;
  node.running = undefined;
  signalGroup(running.pid, 'SIGKILL');
  await waitForExit(running.child, 10_000);
  running.release();
}

/** The last lines of each node's log, headed by the node's role, id and log path. */
export function clusterLogTails(nodes: Iterable<ClusterNode>): string {
  return [...nodes]
    .map((n) => `--- ${n.role} ${n.id} log tail (${n.logFile}) ---\n${logTail(n.logFile)}`)
    .join('\n');
}

/**
 * Polls metadata at `bootstrap` until every id in `ids` is a live (registered, unfenced) broker there, then
 * makes sure the group coordinator answers. Rejects when a `watched` node's JVM exits or at `deadline`.
 */
export async function waitForBrokers(
  bootstrap: readonly string[],
  ids: readonly number[],
  watched: readonly ClusterNode[],
  deadline: number,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'kafka-cluster-readiness',
    brokers: [...bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    for (const node of watched) {
      const child = node.running?.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${node.role} ${node.id} exited (code ${child?.exitCode}, signal ${child?.signalCode})`,
        );
      }
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      const live = new Set(brokers.map((b) => b.nodeId));
      const missing = ids.filter((id) => !live.has(id));
      if (missing.length === 0) {
        // Creates __consumer_offsets now, so a test's first consumer does not meet COORDINATOR_NOT_AVAILABLE.
        await admin.describeGroups(['kafka-cluster-readiness']);
        return;
      }
      lastError = `broker(s) ${missing.join(', ')} not in the metadata yet`;
    } catch (error) {
      lastError = (error as Error).message;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await sleep(250);
  }
  throw new Error(`not serving in time: ${lastError}`);
}
