// The ways a client reaches the benchmark's broker: directly, through socat, through our proxy, through
// Kroxylicious. Each forwarder is one process whose CPU time and memory the benchmark reads.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, stopChild } from '../../test/support/kafka/kafka-broker.js';
import { projectRoot } from '../../test/support/kafka/kafka-install.js';
import type { BenchBroker } from './broker.js';

export const KROXYLICIOUS_VERSION = '0.12.0';

export interface ClientPath {
  readonly name: string;
  /** What the client is given as bootstrap servers. */
  readonly bootstrap: string;
  /** The forwarding process (its CPU and RSS are the path's cost); undefined for the direct path. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function canConnect(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = connect(Number(port), host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Resolves once `hostPort` accepts connections; rejects when the process exits or 60 s pass. */
async function waitForListener(hostPort: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(hostPort))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited at start`);
    if (Date.now() > deadline) throw new Error(`${what} not listening on ${hostPort} after 60 s`);
    await sleep(100);
  }
}

/** A detached child (its own process group), stopped with the group. */
function launch(command: string, args: string[], what: string): { child: ChildProcess; pid: number } {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('error', () => {});
  if (child.pid === undefined) throw new Error(`could not spawn ${what}`);
  return { child, pid: child.pid };
}

export function directPath(broker: BenchBroker, name = 'direct'): ClientPath {
  return { name, bootstrap: broker.bootstrap, pid: undefined, stop: async () => {} };
}

/** socat forwarding the broker's forwarded listener (one process per connection: `fork`). */
export async function socatPath(broker: BenchBroker): Promise<ClientPath> {
  const [host, port] = broker.forwarderAddress.split(':');
  const { child, pid } = launch(
    'socat',
    [`TCP-LISTEN:${port},bind=${host},reuseaddr,fork`, `TCP:${broker.forwardedListener}`],
    'socat',
  );
  await waitForListener(broker.forwarderAddress, child, 'socat');
  return {
    name: 'socat',
    bootstrap: broker.forwarderAddress,
    pid,
    stop: async () => void (await stopChild(child, pid, 5000)),
  };
}

/**
 * Compiles src/ into a private copy under .cache/proxy-bench (and copies package.json beside it, which the CLI
 * reads): the shared dist/ is rebuilt (removed, then written) by whoever runs `npm run build`, which would pull
 * it from under a running benchmark. Resolves with the CLI's path.
 */
export function buildOurs(): string {
  const root = projectRoot();
  const out = path.join(root, '.cache', 'proxy-bench');
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      path.join(out, 'dist'),
    ],
    { cwd: root, stdio: 'inherit' },
  );
  copyFileSync(path.join(root, 'package.json'), path.join(out, 'package.json'));
  return path.join(out, 'dist', 'cli', 'main.js');
}

/** Our proxy: `serve --proxy-upstream` of the CLI built by `buildOurs()`, node id 1 on first+1 of its range. */
export async function oursPath(broker: BenchBroker, cli: string): Promise<ClientPath> {
  const listen = `127.0.0.1:${await freePort()}`;
  const first = await freePort();
  const { child, pid } = launch(
    process.execPath,
    [
      cli,
      'serve',
      '--proxy-upstream',
      broker.bootstrap,
      '--proxy-listen',
      listen,
      '--proxy-broker-ports',
      `${first}-${first + 3}`,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      // Its start and stop lines only; warnings and errors still reach the bench's stderr.
      '--log-level',
      'warn',
    ],
    'kafka-error-exporter serve',
  );
  await waitForListener(listen, child, 'kafka-error-exporter serve');
  return {
    name: 'kafka-error-exporter',
    bootstrap: listen,
    pid,
    stop: async () => void (await stopChild(child, pid, 5000)),
  };
}

/** Kroxylicious 0.12 as a pass-through proxy: one virtual cluster, port per node, no filters. */
export async function kroxyliciousPath(broker: BenchBroker): Promise<ClientPath> {
  const libs = path.join(projectRoot(), '.cache', 'kroxylicious', KROXYLICIOUS_VERSION, 'libs');
  if (!existsSync(libs)) {
    throw new Error(`Kroxylicious jars not found in ${libs}: run \`bash bench/java/fetch-kroxylicious.sh\``);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'kroxylicious-bench-'));
  const config = path.join(dir, 'config.yaml');
  const listen = `127.0.0.1:${await freePort()}`;
  const nodePort = await freePort();
  writeFileSync(
    config,
    [
      'virtualClusters:',
      '  - name: bench',
      '    targetCluster:',
      `      bootstrapServers: ${broker.bootstrap}`,
      '    gateways:',
      '      - name: default',
      '        portIdentifiesNode:',
      `          bootstrapAddress: ${listen}`,
      '          advertisedBrokerAddressPattern: 127.0.0.1',
      `          nodeStartPort: ${nodePort}`,
      '          nodeIdRanges:',
      '            - name: broker',
      '              start: 1',
      '              end: 1',
      '',
    ].join('\n'),
  );
  const { child, pid } = launch(
    'java',
    [
      // Its own sizing is a container's; a fixed 512 MiB heap keeps the RSS comparable with a sidecar's.
      '-Xms128m',
      '-Xmx512m',
      '-XX:-UsePerfData',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      path.join(libs, '*'),
      path.join(projectRoot(), 'bench', 'java', 'KroxyliciousLauncher.java'),
      config,
    ],
    'kroxylicious',
  );
  await waitForListener(listen, child, 'kroxylicious');
  return {
    name: `kroxylicious ${KROXYLICIOUS_VERSION}`,
    bootstrap: listen,
    pid,
    async stop() {
      await stopChild(child, pid, 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
