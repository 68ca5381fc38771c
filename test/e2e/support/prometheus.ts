// A real Prometheus (Debian's /usr/bin/prometheus) for end-to-end tests: loopback only, a temporary directory,
// a short scrape interval, and small clients for its HTTP API (queries, rules, alerts, targets).
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { freePort, logTail } from '../../support/kafka/kafka-broker.js';
import { guardProcessGroup, isProcessAlive, signalGroup } from '../../support/kafka/process-group-guard.js';

/** Where Prometheus is looked for: `PROMETHEUS`, else Debian's path. */
export const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';

export interface PrometheusOptions {
  /** `host:port` targets scraped at `/metrics`. */
  readonly targets: readonly string[];
  /** The scrape job name (the `job` label). @default 'kafka-error-exporter' */
  readonly job?: string;
  /** @default '1s' */
  readonly scrapeInterval?: string;
  /** @default the scrape interval */
  readonly evaluationInterval?: string;
  /** Absolute paths of rule files to load. */
  readonly ruleFiles?: readonly string[];
  /** @default 30_000 */
  readonly startTimeoutMs?: number;
}

/** One series of an instant-vector result. */
export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface Alert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing' | 'inactive';
  readonly value: string;
}

export interface RuleGroupStatus {
  readonly name: string;
  readonly file: string;
  readonly rules: readonly {
    readonly name: string;
    readonly query: string;
    readonly health: string;
    readonly lastError?: string;
    readonly type: 'recording' | 'alerting';
  }[];
}

export interface TargetStatus {
  readonly scrapeUrl: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
  readonly labels: Record<string, string>;
}

export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The temporary directory holding the config, the TSDB and the log. */
  readonly dir: string;
  /** An instant query's raw result (`{ resultType, result }`); throws with Prometheus's error message. */
  queryRaw(expr: string, time?: Date): Promise<{ resultType: string; result: unknown }>;
  /** An instant query that must return a vector, as numbers. */
  query(expr: string, time?: Date): Promise<Sample[]>;
  rules(): Promise<RuleGroupStatus[]>;
  alerts(): Promise<Alert[]>;
  targets(): Promise<TargetStatus[]>;
  /** Polls `probe` every 250 ms until it returns a value other than `undefined`, or throws naming `what`. */
  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  /** Waits until every target has been scraped successfully at least once. */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  /** The end of Prometheus's log, for failure messages. */
  logTail(lines?: number): string;
  /** Stops Prometheus and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Throws a clear error when Prometheus is missing, naming the package that provides it. */
export function requirePrometheus(): string {
  if (!existsSync(PROMETHEUS)) {
    throw new Error(
      `prometheus not found at ${PROMETHEUS}: install Debian's prometheus package (apt-get install prometheus, ` +
        `as .ci/run does) or set PROMETHEUS to its path`,
    );
  }
  return PROMETHEUS;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
  errorType?: string;
}

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as ApiResponse<T>;
  if (body.status !== 'success')
    throw new Error(`Prometheus ${body.errorType ?? 'error'}: ${body.error ?? ''}`);
  return body.data;
}

/** Starts Prometheus on a free loopback port and waits until it is ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = requirePrometheus();
  const dir = await mkdtemp(join(tmpdir(), 'prometheus-e2e-'));
  const interval = options.scrapeInterval ?? '1s';
  const config = {
    global: { scrape_interval: interval, evaluation_interval: options.evaluationInterval ?? interval },
    rule_files: [...(options.ruleFiles ?? [])],
    scrape_configs: [
      {
        job_name: options.job ?? 'kafka-error-exporter',
        static_configs: [{ targets: [...options.targets] }],
      },
    ],
  };
  await writeFile(join(dir, 'prometheus.yml'), stringify(config));
  const log = join(dir, 'prometheus.log');
  // A port found free can be taken before Prometheus binds it: retry a few times.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const running = await launch(binary, dir, log, port, options.startTimeoutMs ?? 30_000).catch(
      async (error: unknown) => {
        if (attempt >= 3) {
          await rm(dir, { recursive: true, force: true });
          throw error;
        }
        return undefined;
      },
    );
    if (running !== undefined) return running;
  }
}

async function launch(
  binary: string,
  dir: string,
  log: string,
  port: number,
  timeoutMs: number,
): Promise<RunningPrometheus> {
  const url = `http://127.0.0.1:${port}`;
  const fd = openSync(log, 'a');
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { cwd: dir, detached: true, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${binary}`);
  child.on('error', () => {});
  const release = guardProcessGroup(pid, dir);
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    signalGroup(pid, 'SIGTERM');
    for (let i = 0; i < 100 && isProcessAlive(pid); i++) await sleep(100);
    signalGroup(pid, 'SIGKILL');
    release();
    await rm(dir, { recursive: true, force: true });
  };

  const waitFor = async <T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeout = 30_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeout;
    let lastError: unknown;
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > deadline) {
        const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
        throw new Error(`Timed out waiting for ${what}${cause}\n${logTail(log)}`);
      }
      await sleep(250);
    }
  };

  const prometheus: RunningPrometheus = {
    url,
    dir,
    queryRaw(expr, time) {
      const params = new URLSearchParams({ query: expr });
      if (time !== undefined) params.set('time', String(time.getTime() / 1000));
      return api(`${url}/api/v1/query?${params.toString()}`);
    },
    async query(expr, time) {
      const data = await prometheus.queryRaw(expr, time);
      if (data.resultType !== 'vector')
        throw new Error(`Expected a vector from ${expr}, got ${data.resultType}`);
      const result = data.result as { metric: Record<string, string>; value: [number, string] }[];
      return result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async rules() {
      return (await api<{ groups: RuleGroupStatus[] }>(`${url}/api/v1/rules`)).groups;
    },
    async alerts() {
      return (await api<{ alerts: Alert[] }>(`${url}/api/v1/alerts`)).alerts;
    },
    async targets() {
      return (await api<{ activeTargets: TargetStatus[] }>(`${url}/api/v1/targets`)).activeTargets;
    },
    waitFor,
    async waitForTargetsUp(timeout) {
      await waitFor(
        'every target up',
        async () => {
          const targets = await prometheus.targets();
          return targets.length > 0 && targets.every((t) => t.health === 'up') ? true : undefined;
        },
        timeout,
      );
    },
    logTail: (lines) => logTail(log, lines),
    stop,
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (!isProcessAlive(pid) || Date.now() > deadline) {
      signalGroup(pid, 'SIGKILL');
      release();
      throw new Error(`Prometheus did not become ready on ${url}\n${logTail(log)}`);
    }
    await sleep(200);
  }
  return prometheus;
}
