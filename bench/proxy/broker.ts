// A single-node Kafka 4.4 broker for the proxy benchmark, with a second client listener advertised at a
// forwarder's port: a pass-through TCP forwarder (socat) cannot rewrite broker addresses, so the broker must
// advertise the forwarder itself for the client to reach it only through the forwarder.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  BROKER_JVM_FLAGS,
  freePort,
  logTail,
  newClusterId,
  stopChild,
} from '../../test/support/kafka/kafka-broker.js';
import { resolveKafkaInstall, runKafkaTool } from '../../test/support/kafka/kafka-install.js';
import { renderServerProperties } from '../../test/support/kafka/kafka-server-properties.js';

/** The Kafka version of the benchmark's broker (jars from `bash scripts/kafka/fetch.sh 4.4.0`). */
export const BENCH_KAFKA_VERSION = '4.4.0';

export interface BenchBroker {
  /** `host:port` of the PLAINTEXT listener that advertises itself: direct clients and address-rewriting proxies. */
  readonly bootstrap: string;
  /** `host:port` of the listener advertised as `forwarderAddress`: what a pass-through forwarder connects to. */
  readonly forwardedListener: string;
  /** Where the forwarded listener tells clients to connect: a forwarder must listen here. */
  readonly forwarderAddress: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts the broker (1 GiB heap, JIT on) and resolves once a metadata request on the direct listener works. */
export async function startBenchBroker(): Promise<BenchBroker> {
  const install = resolveKafkaInstall({ version: BENCH_KAFKA_VERSION });
  const baseDir = mkdtempSync(path.join(tmpdir(), 'kafka-proxy-bench-'));
  const propsFile = path.join(baseDir, 'server.properties');
  const logFile = path.join(baseDir, 'broker.log');
  const [clientPort, controllerPort, forwardedPort, forwarderPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const direct = `PLAINTEXT://127.0.0.1:${clientPort}`;
  const controller = `CONTROLLER://127.0.0.1:${controllerPort}`;
  writeFileSync(
    propsFile,
    renderServerProperties({
      profile: 'plaintext',
      dataDir: path.join(baseDir, 'data'),
      clientPort,
      controllerPort,
      extra: {
        listeners: `${direct},FORWARDED://127.0.0.1:${forwardedPort},${controller}`,
        'advertised.listeners': `${direct},FORWARDED://127.0.0.1:${forwarderPort}`,
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,FORWARDED:PLAINTEXT,CONTROLLER:PLAINTEXT',
        // The test profile's two network and two I/O threads are what the kafkajs bench measures against too.
      },
    }),
  );
  await runKafkaTool(install, 'kafka.tools.StorageTool', ['format', '-t', newClusterId(), '-c', propsFile]);
  const logFd = openSync(logFile, 'a');
  // The test broker's flags minus TieredStopAtLevel=1: a throughput benchmark wants the optimising JIT.
  const flags = BROKER_JVM_FLAGS.filter((flag) => !flag.startsWith('-XX:TieredStopAtLevel'));
  const child = spawn(
    'java',
    ['-Xms1g', '-Xmx1g', ...flags, install.logConfigFlag, '-cp', install.classpath, 'kafka.Kafka', propsFile],
    { detached: true, stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  child.on('error', () => {});
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn java');
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await stopChild(child, pid, 10_000);
      rmSync(baseDir, { recursive: true, force: true });
    })());
  const bootstrap = `127.0.0.1:${clientPort}`;
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const deadline = Date.now() + 90_000;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.describeGroups(['bench-readiness']);
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        const tail = logTail(logFile);
        await stop();
        throw new Error(`bench broker not serving: ${(error as Error).message}\n${tail}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
  return {
    bootstrap,
    forwardedListener: `127.0.0.1:${forwardedPort}`,
    forwarderAddress: `127.0.0.1:${forwarderPort}`,
    pid,
    stop,
  };
}
