// Integration global setup: one real Kafka broker for all integration suites, or an external cluster.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { brokerMemory, isBrokerAlive, startBroker } from '../../support/kafka/kafka-broker.js';
import type { KafkaBroker } from '../../support/kafka/kafka-broker.js';
import { PINNED_KAFKA_VERSION, projectRoot } from '../../support/kafka/kafka-install.js';
import type { KafkaTestEnvironment } from '../support/provided-context.js';

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function banner(lines: string[]): void {
  const bar = '!'.repeat(78);
  console.error(['', bar, ...lines.map((l) => `!! ${l}`), bar, ''].join('\n'));
}

/** Java present and the jars fetched (fetching them now if Maven is there): else a reason why not. */
function ensureKafkaJars(version: string): void {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('java not found: install a JDK 17 (apt-get install openjdk-17-jdk-headless)');
  }
  const root = projectRoot();
  if (existsSync(path.join(root, '.cache', 'kafka', version, '.fetched'))) return;
  const fetch = spawnSync('bash', [path.join(root, 'scripts', 'kafka', 'fetch.sh'), version], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (fetch.status !== 0)
    throw new Error(`bash scripts/kafka/fetch.sh ${version} failed (exit ${fetch.status})`);
}

/** CI as most CI systems set it (`CI=true`); `CI=false` or `CI=0` counts as unset. */
function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

function unavailable(reason: string): KafkaTestEnvironment {
  return {
    available: false,
    unavailableReason: reason,
    source: 'none',
    brokers: [],
    saslBrokers: [],
    version: 'none',
    brokerPid: null,
  };
}

/**
 * KAFKA_BROKERS set → use that cluster (KAFKA_SASL_BROKERS for a SASL one). Otherwise start one local
 * broker (SASL profile with an extra PLAINTEXT listener: one JVM serves both kinds of tests). No broker:
 * with CI set this throws; without it the suites skip after a loud banner.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = splitList(process.env.KAFKA_BROKERS);
  if (external.length > 0) {
    project.provide('kafka', {
      available: true,
      unavailableReason: '',
      source: 'external',
      brokers: external,
      saslBrokers: splitList(process.env.KAFKA_SASL_BROKERS),
      version: 'external',
      brokerPid: null,
    });
    return async () => {};
  }

  const version = process.env.KAFKA_VERSION ?? PINNED_KAFKA_VERSION;
  let broker: KafkaBroker;
  try {
    ensureKafkaJars(version);
    // setClientQuota runs ConfigCommand from the pinned jars whatever the broker's version.
    if (version !== PINNED_KAFKA_VERSION) ensureKafkaJars(PINNED_KAFKA_VERSION);
    broker = await startBroker({
      profile: 'sasl',
      plaintextListener: true,
      version,
      onLog: (line) => console.error(line),
    });
  } catch (error) {
    const reason = `no Kafka broker: ${(error as Error).message}`;
    if (isCi()) {
      throw new Error(
        `${reason}\n(CI is set, so integration tests may not skip; see README "Tests and the Kafka broker")`,
      );
    }
    banner([
      'INTEGRATION TESTS SKIPPED: no Kafka broker could be started.',
      ...reason.split('\n').slice(0, 30),
      'Fix: install Java 17 + Maven and run `bash scripts/kafka/fetch.sh`,',
      'or point the tests at your own cluster with KAFKA_BROKERS=host:port.',
    ]);
    project.provide('kafka', unavailable(reason));
    return async () => {};
  }

  console.error(
    `kafka ${broker.version} ready in ${broker.startMs} ms: PLAINTEXT ${broker.plaintextBootstrap}, ` +
      `SASL_PLAINTEXT ${broker.bootstrap} (pid ${broker.pid}, log ${broker.logFile})`,
  );
  project.provide('kafka', {
    available: true,
    unavailableReason: '',
    source: 'local',
    brokers: broker.plaintextBootstrap === undefined ? [] : [broker.plaintextBootstrap],
    saslBrokers: [broker.bootstrap],
    version: broker.version,
    brokerPid: broker.pid,
  });

  return async () => {
    const memory = brokerMemory(broker);
    if (memory) {
      const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
      console.error(`kafka broker memory: VmRSS ${mib(memory.rss)} MiB, peak ${mib(memory.peakRss)} MiB`);
    }
    await broker.stop();
    if (isBrokerAlive(broker)) {
      throw new Error(`Kafka broker JVM ${broker.pid} is still running after stop()`);
    }
  };
}
