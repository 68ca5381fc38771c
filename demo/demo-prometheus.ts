// Starts Debian's Prometheus on loopback for the demo: scrapes the exporter every 2 s with the bundled rules loaded.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { freePort, logTail } from '../test/support/kafka/kafka-broker.js';
import { projectRoot } from '../test/support/kafka/kafka-install.js';
import { guardProcessGroup, isProcessAlive, signalGroup } from '../test/support/kafka/process-group-guard.js';

/** Where the demo looks for Prometheus (the Debian package's path). */
export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

/** The rule file the demo loads: the same one users load (`deploy/prometheus/`). */
export function bundledRuleFile(): string {
  return path.join(projectRoot(), 'deploy', 'prometheus', 'kafka-client.rules.yml');
}

export interface DemoPrometheus {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  readonly pid: number;
  /** Stops Prometheus (SIGTERM, then SIGKILL) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** The Prometheus configuration: one job scraping `target`, the bundled rules, a short interval. */
export function demoPrometheusConfig(target: string, ruleFile: string): string {
  return stringify({
    global: { scrape_interval: '2s', evaluation_interval: '2s' },
    rule_files: [ruleFile],
    scrape_configs: [{ job_name: 'kafka-error-exporter', static_configs: [{ targets: [target] }] }],
  });
}

/**
 * Starts Prometheus on a free loopback port scraping `target` (`host:port`), and waits until it is ready.
 * @throws when the binary is missing or Prometheus does not become ready within 30 s (with its log tail).
 */
export async function startDemoPrometheus(
  target: string,
  binary = PROMETHEUS_BINARY,
): Promise<DemoPrometheus> {
  if (!existsSync(binary)) {
    throw new Error(`${binary} not found: install Debian's prometheus package (apt-get install prometheus)`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'demo-prometheus-'));
  writeFileSync(path.join(dir, 'prometheus.yml'), demoPrometheusConfig(target, bundledRuleFile()));
  const log = path.join(dir, 'prometheus.log');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fd = openSync(log, 'a');
  // Detached: Prometheus leads its own process group, guarded so that it dies with the demo.
  const child = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=2h',
      '--log.level=warn',
    ],
    { cwd: dir, detached: true, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  child.on('error', () => {});
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start ${binary}`);
  }
  const releaseGuard = guardProcessGroup(pid, dir, 5);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      signalGroup(pid, 'SIGTERM');
      for (let i = 0; i < 50 && isProcessAlive(pid); i++) await sleep(100);
      signalGroup(pid, 'SIGKILL');
      for (let i = 0; i < 20 && isProcessAlive(pid); i++) await sleep(100);
      releaseGuard();
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, pid, stop };
    if (!isProcessAlive(pid) || Date.now() > deadline) {
      const tail = logTail(log);
      await stop();
      throw new Error(`Prometheus did not become ready on ${url}\n${tail}`);
    }
    await sleep(250);
  }
}
