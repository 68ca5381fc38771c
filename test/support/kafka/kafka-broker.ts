// Starts a real single-node KRaft Apache Kafka broker from the Maven-fetched jars, for tests and the demo.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { SASLOptions } from 'kafkajs';
import { planClassArchive } from './broker-class-archive.js';
import { resolveKafkaInstall, runKafkaTool } from './kafka-install.js';
import type { KafkaInstall } from './kafka-install.js';
import { SASL_ADMIN, renderServerProperties } from './kafka-server-properties.js';
import type { BrokerProfile, SaslCredentials } from './kafka-server-properties.js';
import { guardProcessGroup, isProcessAlive, signalGroup } from './process-group-guard.js';

export interface StartBrokerOptions {
  /** @default 'plaintext' */
  profile?: BrokerProfile;
  /** `sasl` profile only: also open a PLAINTEXT listener whose clients are super users. @default true */
  plaintextListener?: boolean;
  /**
   * `plaintext` profile only: also open a SASL_SSL listener (SCRAM-SHA-512) on a free port, with the
   * certificate and key in this PEM file (unencrypted PKCS#8 key, then the chain). See `saslSslBootstrap`.
   */
  saslSslKeystoreFile?: string;
  /** Kafka version whose jars `scripts/kafka/fetch.sh` fetched. @default PINNED_KAFKA_VERSION */
  version?: string;
  /** @default `<project>/.cache/kafka/<version>/libs` */
  libsDir?: string;
  /** Maximum heap of the broker JVM. @default '512m' */
  heap?: string;
  /** Extra server.properties entries, applied last. */
  properties?: Readonly<Record<string, string>>;
  /** Time one attempt may take from format to serving. @default 90_000 */
  readyTimeoutMs?: number;
  /** Reuse (or, on the first clean stop, create) a class-data-sharing archive of the broker. @default true */
  classDataSharing?: boolean;
  /** Time between SIGTERM and SIGKILL when stopping. @default 10_000 */
  stopGraceMs?: number;
  /** Where progress and failures are reported (the log tail on a failed start). @default no output */
  onLog?: (line: string) => void;
}

/** A running broker. `stop()` is safe to call twice and leaves no process and no data behind. */
export interface KafkaBroker {
  readonly profile: BrokerProfile;
  readonly version: string;
  /** `host:port` of the profile's client listener (SASL_PLAINTEXT for `sasl`). */
  readonly bootstrap: string;
  /** `host:port` of a PLAINTEXT listener (the client listener for `plaintext`), if any. */
  readonly plaintextBootstrap: string | undefined;
  /** `host:port` of the SASL_SSL/SCRAM-SHA-512 listener asked for with `saslSslKeystoreFile`, if any. */
  readonly saslSslBootstrap: string | undefined;
  /** The super user's credentials for the `sasl` profile, undefined for `plaintext`. */
  readonly admin: SaslCredentials | undefined;
  /** Pid of the broker JVM, also its process group id. */
  readonly pid: number;
  readonly logFile: string;
  readonly dataDir: string;
  /** Milliseconds from storage format to the first successful metadata request. */
  readonly startMs: number;
  readonly install: KafkaInstall;
  stop(): Promise<void>;
}

/** JVM flags of every broker or controller JVM (the heap is set per launch). */
export const BROKER_JVM_FLAGS: readonly string[] = [
  '-Xms64m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-XX:-UsePerfData',
  '-Djava.awt.headless=true',
];

/** Asks the kernel for a free loopback port (closed again at once; a lost race makes the start retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

/** Binds `port` on loopback and closes it again: whether it is free now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first port of `count` consecutive loopback ports that are free now, picked at random below Linux's
 * ephemeral range (32768+), so that no outgoing connection takes one of them afterwards — unlike the ports
 * next to a `freePort()`, which any connection may hold.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * (12_000 - count));
    let free = true;
    for (let port = first; port < first + count && free; port++) free = await portIsFree(port);
    if (free) return first;
  }
  throw new Error(`no ${count} consecutive free loopback ports found`);
}

/** The last `lines` lines of a file, or a note that it cannot be read. */
export function logTail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(no log: ${(error as Error).message})`;
  }
}

// A KRaft cluster id is a base64url UUID; like Kafka's own Uuid.randomUuid, avoid a leading '-',
// which StorageTool's argument parser would read as an option.
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true once `child` has exited, false when `timeoutMs` passes first. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Polls a metadata request (plus a coordinator lookup, which creates `__consumer_offsets`) until it works. */
async function waitUntilServing(
  bootstrap: string,
  sasl: SASLOptions | undefined,
  child: ChildProcess,
  deadline: number,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'kafka-broker-readiness',
    brokers: [bootstrap],
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`broker exited early (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      // Warm the group coordinator so the first test's consumer does not meet COORDINATOR_NOT_AVAILABLE.
      await admin.describeGroups(['kafka-broker-readiness']);
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await sleep(250);
  }
  throw new Error(`broker not serving in time: ${(lastError as Error | undefined)?.message ?? 'no answer'}`);
}

/** SIGTERM, then SIGKILL after the grace period; resolves true when the JVM ended on SIGTERM alone. */
export async function stopChild(child: ChildProcess, pid: number, graceMs: number): Promise<boolean> {
  signalGroup(pid, 'SIGTERM');
  const clean = await waitForExit(child, graceMs);
  if (!clean) {
    signalGroup(pid, 'SIGKILL');
    await waitForExit(child, 10_000);
  }
  // The JVM may have left helpers in its group; make sure none survive it.
  signalGroup(pid, 'SIGKILL');
  return clean;
}

async function startOnce(options: StartBrokerOptions, install: KafkaInstall): Promise<KafkaBroker> {
  const profile = options.profile ?? 'plaintext';
  const baseDir = mkdtempSync(path.join(tmpdir(), `kafka-${profile}-`));
  const dataDir = path.join(baseDir, 'data');
  const logFile = path.join(baseDir, 'broker.log');
  const propsFile = path.join(baseDir, 'server.properties');
  const clientPort = await freePort();
  const controllerPort = await freePort();
  const wantsPlain = profile === 'sasl' && (options.plaintextListener ?? true);
  const plaintextPort = wantsPlain ? await freePort() : undefined;
  const saslSsl =
    profile === 'plaintext' && options.saslSslKeystoreFile !== undefined
      ? { port: await freePort(), keystoreFile: options.saslSslKeystoreFile }
      : undefined;
  writeFileSync(
    propsFile,
    renderServerProperties({
      profile,
      dataDir,
      clientPort,
      controllerPort,
      ...(plaintextPort === undefined ? {} : { plaintextPort }),
      ...(saslSsl === undefined ? {} : { saslSsl }),
      ...(options.properties ? { extra: options.properties } : {}),
    }),
  );

  const started = Date.now();
  const clusterId = newClusterId();
  await runKafkaTool(install, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', propsFile]);

  const archive = options.classDataSharing === false ? undefined : planClassArchive(install, baseDir);
  const logFd = openSync(logFile, 'a');
  const argv = [
    `-Xmx${options.heap ?? '512m'}`,
    ...BROKER_JVM_FLAGS,
    ...(archive?.flags ?? []),
    install.logConfigFlag,
    '-cp',
    install.classpath,
    'kafka.Kafka',
    propsFile,
  ];
  // Detached: the JVM leads its own process group, so stopping kills everything it started.
  const child = spawn('java', argv, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  child.on('error', () => {});
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    rmSync(baseDir, { recursive: true, force: true });
    throw new Error('could not spawn java');
  }
  const graceMs = options.stopGraceMs ?? 10_000;
  const release = guardProcessGroup(pid, baseDir, Math.ceil(graceMs / 1000));

  const bootstrap = `127.0.0.1:${clientPort}`;
  const admin = profile === 'sasl' ? SASL_ADMIN : undefined;
  const sasl: SASLOptions | undefined = admin
    ? { mechanism: 'plain', username: admin.username, password: admin.password }
    : undefined;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const clean = await stopChild(child, pid, graceMs);
      release();
      archive?.publish(clean);
      rmSync(baseDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await waitUntilServing(bootstrap, sasl, child, started + (options.readyTimeoutMs ?? 90_000));
  } catch (error) {
    const tail = logTail(logFile);
    await stop();
    throw new Error(`${(error as Error).message}\n--- broker log tail (${logFile}) ---\n${tail}`);
  }

  return {
    profile,
    version: install.version,
    bootstrap,
    plaintextBootstrap:
      profile === 'plaintext'
        ? bootstrap
        : plaintextPort === undefined
          ? undefined
          : `127.0.0.1:${plaintextPort}`,
    saslSslBootstrap: saslSsl === undefined ? undefined : `127.0.0.1:${saslSsl.port}`,
    admin,
    pid,
    logFile,
    dataDir,
    startMs: Date.now() - started,
    install,
    stop,
  };
}

/**
 * Formats KRaft storage in a fresh temp dir and starts one combined broker+controller on 127.0.0.1 with
 * free ports; resolves once a metadata request succeeds. A failed start is retried once with a fresh dir
 * and fresh ports (the log tail goes to `onLog`); the second failure rejects with the log tail.
 */
export async function startBroker(options: StartBrokerOptions = {}): Promise<KafkaBroker> {
  const install = resolveKafkaInstall({
    ...(options.version ? { version: options.version } : {}),
    ...(options.libsDir ? { libsDir: options.libsDir } : {}),
  });
  try {
    return await startOnce(options, install);
  } catch (error) {
    options.onLog?.(`kafka broker start failed, retrying once: ${(error as Error).message}`);
    return startOnce(options, install);
  }
}

/** Resident memory of the broker JVM now and at its peak (VmRSS / VmHWM, Linux only), in bytes. */
export function brokerMemory(broker: Pick<KafkaBroker, 'pid'>): { rss: number; peakRss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${broker.pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kib('VmRSS') * 1024, peakRss: kib('VmHWM') * 1024 };
  } catch {
    return undefined;
  }
}

/** True while the broker's JVM exists: teardown uses it to prove nothing was left behind. */
export function isBrokerAlive(broker: Pick<KafkaBroker, 'pid'>): boolean {
  return isProcessAlive(broker.pid);
}
