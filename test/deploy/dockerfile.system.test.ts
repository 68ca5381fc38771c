// Lints the Dockerfile, checks its conventions, and replays its install-and-start steps outside a container.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { symlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, posix, resolve } from 'node:path';
import { validate } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, ENV_PREFIX } from '../../src/config/options.js';
import { freePortRange } from '../support/kafka/kafka-broker.js';
import {
  execForm,
  finalStage,
  instructionsOf,
  keyValues,
  lastOf,
  readStages,
} from './dockerfile-instructions.js';
import type { Stage } from './dockerfile-instructions.js';

const repo = resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8');
const stages = readStages(dockerfile);
const runtime = finalStage(stages);
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string;
  license: string;
  bin: Record<string, string>;
  engines: { node: string };
};

/** Every COPY source taken from the build context (not from another stage), in order. */
function contextSources(): string[] {
  return stages.flatMap((stage) =>
    instructionsOf(stage, 'COPY')
      .filter((copy) => copy.flags.from === undefined)
      .flatMap((copy) => copy.args.split(' ').slice(0, -1)),
  );
}

function runCommands(stage: Stage): string[] {
  return instructionsOf(stage, 'RUN').map((run) => run.args);
}

describe('Dockerfile lint', () => {
  it('has no dockerfile-utils diagnostics', () => {
    const diagnostics = validate(dockerfile).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(diagnostics).toEqual([]);
  });

  it('is multi-stage: a build stage and a runtime stage on the same base image', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'runtime']);
    expect(new Set(stages.map((stage) => stage.image)).size).toBe(1);
  });

  it.each(stages.map((stage) => [stage.name, stage.image]))(
    'stage %s pins an exact Node LTS release (%s)',
    (_name, image) => {
      const match = /^node:(\d+)\.(\d+)\.(\d+)-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/.exec(image);
      expect(match, `${image} is not node:<major>.<minor>.<patch>-<debian>-slim`).not.toBeNull();
      const major = Number(match![1]);
      // Even majors become LTS; the image must also satisfy our own engines field.
      expect(major % 2).toBe(0);
      expect(major).toBeGreaterThanOrEqual(Number(/\d+/.exec(pkg.engines.node)![0]));
    },
  );

  it('builds with the full dependency tree and the package build script', () => {
    const build = stages[0]!;
    const commands = runCommands(build);
    expect(commands.some((command) => /^npm ci\b/.test(command) && !command.includes('--omit'))).toBe(true);
    expect(commands).toContain('npm run build');
  });

  it('installs only production dependencies in the runtime stage, and runs npm nowhere else there', () => {
    const commands = runCommands(runtime);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/^npm ci --omit=dev( |$)/);
    const copies = instructionsOf(runtime, 'COPY').filter((copy) => copy.flags.from !== undefined);
    expect(copies.map((copy) => [copy.flags.from, copy.args])).toEqual([['build', '/src/dist ./dist']]);
  });

  it('runs as a numeric non-root user, so Kubernetes runAsNonRoot can verify it', () => {
    const user = lastOf(runtime, 'USER').args;
    expect(user).toMatch(/^\d+:\d+$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    // Files are installed before the switch: they stay root-owned, read-only to the runtime user.
    const userLine = lastOf(runtime, 'USER').line;
    expect(
      runtime.instructions
        .filter((i) => i.keyword === 'RUN' || i.keyword === 'COPY')
        .every((i) => i.line < userLine),
    ).toBe(true);
  });

  it('starts `kafka-error-exporter serve` with an exec-form entrypoint matching the package bin', () => {
    const workdir = lastOf(runtime, 'WORKDIR').args;
    expect(execForm(lastOf(runtime, 'ENTRYPOINT'))).toEqual([
      'node',
      posix.join(workdir, pkg.bin['kafka-error-exporter']!),
    ]);
    expect(execForm(lastOf(runtime, 'CMD'))).toEqual(['serve']);
  });

  it("exposes the metrics port, the proxy's bootstrap port and its broker port range, at their defaults", () => {
    const exposed = lastOf(runtime, 'EXPOSE')
      .args.split(' ')
      .map((spec) => spec.split('-').map(Number));
    const { proxyListen, proxyBrokerPorts } = DEFAULT_OPTIONS;
    expect(exposed).toEqual([
      [DEFAULT_OPTIONS.port],
      [proxyListen.port],
      [proxyBrokerPorts.first, proxyBrokerPorts.last],
    ]);
  });

  it('health-checks /healthz with node alone, no curl or wget', () => {
    const healthcheck = lastOf(runtime, 'HEALTHCHECK');
    expect(Object.keys(healthcheck.flags).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
    const [form, ...rest] = healthcheck.args.split(' ');
    expect(form).toBe('CMD');
    const command = execForm(healthcheck, rest.join(' '));
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain('/healthz');
    expect(command[2]).toContain(`process.env.${ENV_PREFIX}PORT || ${DEFAULT_OPTIONS.port}`);
  });

  it('sets NODE_ENV=production and the OCI labels', () => {
    expect(keyValues(lastOf(runtime, 'ENV').args)).toEqual({ NODE_ENV: 'production' });
    const labels = keyValues(
      instructionsOf(runtime, 'LABEL')
        .map((label) => label.args)
        .join(' '),
    );
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': pkg.name,
      'org.opencontainers.image.licenses': pkg.license,
      'org.opencontainers.image.base.name': `docker.io/library/${runtime.image}`,
    });
    expect(labels['org.opencontainers.image.description']).toMatch(/Kafka/);
  });

  it('uses COPY only, never ADD', () => {
    expect(stages.flatMap((stage) => instructionsOf(stage, 'ADD'))).toEqual([]);
  });

  it('sends exactly the copied paths as build context (.dockerignore is an allowlist)', () => {
    const lines = readFileSync(join(repo, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(lines[0]).toBe('*');
    const allowed = lines.slice(1).map((line) => line.replace(/^!/, ''));
    expect(lines.slice(1).every((line) => line.startsWith('!'))).toBe(true);
    expect([...allowed].sort()).toEqual([...new Set(contextSources())].sort());
    for (const source of allowed) expect(existsSync(join(repo, source)), source).toBe(true);
  });
});

/** What replaying the Dockerfile produced: one directory per stage standing in for its root filesystem. */
interface Replay {
  readonly root: string;
  readonly stageRoots: readonly string[];
  readonly env: Record<string, string>;
  readonly user: { uid: number; gid: number };
  readonly workdir: string;
}

const inStage = (stageRoot: string, path: string): string => join(stageRoot, path);

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync('sh', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) {
    throw new Error(
      `RUN ${command} failed (${result.status ?? result.signal}):\n${result.stderr}\n${result.stdout}`,
    );
  }
}

/**
 * Performs every stage's instructions in a temporary directory. One substitution: the build stage's `npm ci`
 * links the repository's node_modules (installed from the same lockfile by the test command's own
 * `npm ci`) instead of installing the whole dev tree again; the runtime stage's `npm ci --omit=dev` runs for real.
 */
function replayDockerfile(root: string): Replay {
  const stageRoots: string[] = [];
  const byName = new Map<string, string>();
  let env: Record<string, string> = {};
  let user = { uid: 0, gid: 0 };
  let workdir = '/';
  stages.forEach((stage, index) => {
    const stageRoot = join(root, `stage-${index}`);
    mkdirSync(stageRoot, { recursive: true });
    stageRoots.push(stageRoot);
    if (stage.name) byName.set(stage.name, stageRoot);
    env = {};
    workdir = '/';
    for (const instruction of stage.instructions) {
      const cwd = inStage(stageRoot, workdir);
      const childEnv = {
        ...inheritedEnv(),
        ...env,
        npm_config_prefer_offline: 'true',
        npm_config_update_notifier: 'false',
      };
      switch (instruction.keyword) {
        case 'WORKDIR':
          workdir = posix.resolve(workdir, instruction.args);
          mkdirSync(inStage(stageRoot, workdir), { recursive: true });
          break;
        case 'COPY': {
          const parts = instruction.args.split(' ');
          const destText = parts.pop()!;
          const dest = resolve(cwd, destText);
          // Docker: several sources or a trailing slash make the destination a directory; a directory
          // source always copies its contents.
          const destIsDir = parts.length > 1 || destText.endsWith('/');
          const from = instruction.flags.from === undefined ? repo : byName.get(instruction.flags.from);
          if (from === undefined)
            throw new Error(`line ${instruction.line}: unknown stage ${instruction.flags.from}`);
          for (const source of parts) {
            const path = join(from, source);
            const target = statSync(path).isDirectory() || !destIsDir ? dest : join(dest, basename(source));
            cpSync(path, target, { recursive: true });
          }
          break;
        }
        case 'RUN':
          if (/^npm ci\b/.test(instruction.args) && !instruction.args.includes('--omit=dev')) {
            symlinkSync(join(repo, 'node_modules'), join(cwd, 'node_modules'), 'dir');
          } else {
            run(instruction.args, cwd, childEnv);
          }
          break;
        case 'ENV':
          env = { ...env, ...keyValues(instruction.args) };
          break;
        case 'USER': {
          const [uid = '0', gid = uid] = instruction.args.split(':');
          user = { uid: Number(uid), gid: Number(gid) };
          break;
        }
        case 'LABEL':
        case 'EXPOSE':
        case 'HEALTHCHECK':
        case 'ENTRYPOINT':
        case 'CMD':
          break; // Metadata: checked by the lint tests, used below when starting.
        default:
          // A new kind of step must be taught to the replay, or the test and the file drift apart.
          throw new Error(`line ${instruction.line}: the replay does not know ${instruction.keyword}`);
      }
    }
  });
  return { root, stageRoots, env, user, workdir };
}

/**
 * The test's own environment minus what would leak into the replay: the exporter's configuration variables,
 * and the npm_* variables an outer `npm test` exports (a Docker build starts without them).
 */
function inheritedEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined &&
        !entry[0].startsWith(ENV_PREFIX) &&
        !/^npm_/i.test(entry[0]) &&
        entry[0] !== 'INIT_CWD',
    ),
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Relative path and size of every file under `dir`, to show that running wrote nothing there. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map(
      (entry) =>
        `${join(entry.parentPath, entry.name).slice(dir.length)} ${statSync(join(entry.parentPath, entry.name)).size}`,
    )
    .sort();
}

describe('the Dockerfile replayed outside a container (slow: npm ci --omit=dev and tsc)', () => {
  let replay: Replay;
  const extra: ChildProcess[] = [];
  let server: ChildProcess | undefined;
  let port = 0;
  let stderr = '';
  let appBefore: string[] = [];
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  const serverEnv = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(replay.root, 'home'),
    TMPDIR: join(replay.root, 'tmp'),
    ...replay.env,
    // A loopback listener for the test; in the container the default (all interfaces) applies.
    [`${ENV_PREFIX}HOST`]: '127.0.0.1',
    [`${ENV_PREFIX}PORT`]: String(port),
  });

  const healthcheck = (): number | null => {
    const [, ...rest] = lastOf(runtime, 'HEALTHCHECK').args.split(' ');
    const [command, ...args] = execForm(lastOf(runtime, 'HEALTHCHECK'), rest.join(' '));
    expect(command).toBe('node');
    return spawnSync(process.execPath, args, { env: serverEnv(), timeout: 10_000 }).status;
  };

  /** Starts the image's ENTRYPOINT and CMD from the replayed root, as the container runtime would. */
  const startImage = (env: Record<string, string>, onStderr: (text: string) => void): ChildProcess => {
    const appRoot = replay.stageRoots.at(-1)!;
    const argv = [...execForm(lastOf(runtime, 'ENTRYPOINT')), ...execForm(lastOf(runtime, 'CMD'))];
    const [command, ...args] = argv.map((arg) => (arg.startsWith('/') ? inStage(appRoot, arg) : arg));
    expect(command).toBe('node');
    // As root (CI), drop to the image's USER like the container runtime does; otherwise run as ourselves.
    const asUser = process.getuid?.() === 0 ? replay.user : {};
    const child = spawn(process.execPath, args, {
      cwd: inStage(appRoot, replay.workdir),
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
      ...asUser,
    });
    child.stderr.on('data', (chunk: Buffer) => onStderr(chunk.toString()));
    return child;
  };

  /** Bounded wait for the listener: the replayed server must answer /healthz within 30 s. */
  const untilHealthy = async (child: ChildProcess, at: number, log: () => string): Promise<void> => {
    for (let attempt = 0; attempt < 150; attempt++) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}:\n${log()}`);
      const ok = await fetch(`http://127.0.0.1:${at}/healthz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((done) => setTimeout(done, 200));
    }
    throw new Error(`serve never answered /healthz:\n${log()}`);
  };

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'kee-dockerfile-'));
    replay = replayDockerfile(root);
    // The runtime user must be able to traverse to /app, read it, and write nowhere but /tmp.
    chmodSync(root, 0o755);
    mkdirSync(join(root, 'home'), { mode: 0o755 });
    mkdirSync(join(root, 'tmp'), { mode: 0o1777 });
    chmodSync(join(root, 'tmp'), 0o1777);
    const appRoot = replay.stageRoots.at(-1)!;
    appBefore = snapshot(inStage(appRoot, replay.workdir));
    port = await freePort();

    server = startImage(serverEnv(), (chunk) => (stderr += chunk));
    exit = new Promise((done) => server!.once('exit', (code, signal) => done({ code, signal })));
    await untilHealthy(server, port, () => stderr);
  }, 300_000);

  afterAll(() => {
    for (const child of [server, ...extra]) {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    if (replay) rmSync(replay.root, { recursive: true, force: true });
  });

  it('installs the production dependencies and none of the development ones', () => {
    const modules = inStage(replay.stageRoots.at(-1)!, posix.join(replay.workdir, 'node_modules'));
    expect(existsSync(join(modules, 'prom-client'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'kafkajs', 'dockerfile-utils']) {
      expect(existsSync(join(modules, dev)), dev).toBe(false);
    }
  });

  it.each(['/healthz', '/readyz'])('answers %s with 200', async (path) => {
    expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(200);
  });

  it('serves the exporter self-metrics on /metrics', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('kafka_error_exporter_build_info');
  });

  it("runs as the image's USER when the test runs as root (as CI does), else as the test's own user", () => {
    const expected = process.getuid?.() === 0 ? replay.user.uid : process.getuid?.();
    const status = readFileSync(`/proc/${server!.pid}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe(String(expected));
  });

  it('passes its own HEALTHCHECK command', () => {
    expect(healthcheck()).toBe(0);
  });

  it('exits 0 on SIGTERM (docker stop), writes nothing under its workdir, then fails the HEALTHCHECK', async () => {
    server!.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(snapshot(inStage(replay.stageRoots.at(-1)!, replay.workdir))).toEqual(appBefore);
    expect(healthcheck()).toBe(1);
  });

  it('runs the Kafka proxy from its variables: ready once the cluster answered, /healthz never waits', async () => {
    // A stand-in cluster that accepts and hangs up, as one that wants authentication first does: reached.
    const cluster = createServer((socket) => socket.destroy());
    await new Promise<void>((done) => cluster.listen(0, '127.0.0.1', done));
    const upstream = (cluster.address() as AddressInfo).port;
    const [metrics, bootstrap] = [await freePort(), await freePortRange(11)];
    let log = '';
    const env = {
      ...serverEnv(),
      [`${ENV_PREFIX}PORT`]: String(metrics),
      [`${ENV_PREFIX}PROXY_UPSTREAM`]: `127.0.0.1:${upstream}`,
      [`${ENV_PREFIX}PROXY_LISTEN`]: `127.0.0.1:${bootstrap}`,
      [`${ENV_PREFIX}PROXY_BROKER_PORTS`]: `${bootstrap + 1}-${bootstrap + 10}`,
    };
    const proxied = startImage(env, (chunk) => (log += chunk));
    extra.push(proxied);
    try {
      await untilHealthy(proxied, metrics, () => log);
      let ready = 0;
      for (let attempt = 0; attempt < 50 && ready !== 200; attempt++) {
        ready = (await fetch(`http://127.0.0.1:${metrics}/readyz`)).status;
        if (ready !== 200) await new Promise((done) => setTimeout(done, 200));
      }
      expect(ready, log).toBe(200);
      expect(log).toContain(`"proxy":"127.0.0.1:${bootstrap}"`);
      // The bootstrap listener takes a Kafka client's connection (and forwards it to the cluster).
      await new Promise<void>((done, fail) => {
        const client = connect(bootstrap, '127.0.0.1', () => {
          client.destroy();
          done();
        });
        client.once('error', fail);
      });
      const exposition = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
      expect(exposition).toContain('kafka_error_exporter_proxy_listeners 1');
      const [, ...rest] = lastOf(runtime, 'HEALTHCHECK').args.split(' ');
      const [, ...args] = execForm(lastOf(runtime, 'HEALTHCHECK'), rest.join(' '));
      expect(spawnSync(process.execPath, args, { env, timeout: 10_000 }).status).toBe(0);
    } finally {
      proxied.kill('SIGTERM');
      cluster.close();
    }
  });
});
