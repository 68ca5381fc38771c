#!/usr/bin/env node
// `npm run demo`: a real local Kafka broker, the exporter, and a workload that provokes real errors; a table of what
// was captured every few seconds; Ctrl-C (or SIGTERM, or --duration) stops everything, the broker JVM included.
// `--proxy` also runs the sidecar's protocol proxy in this process, and one client of the workload through it.
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src/logger.js';
import { startBroker } from '../test/support/kafka/kafka-broker.js';
import type { KafkaBroker } from '../test/support/kafka/kafka-broker.js';
import { PINNED_KAFKA_VERSION } from '../test/support/kafka/kafka-install.js';
import { DEMO_HELP, parseDemoArgs } from './demo-options.js';
import type { DemoOptions } from './demo-options.js';
import { startDemoExporter } from './demo-exporter.js';
import type { DemoExporter } from './demo-exporter.js';
import { startDemoPrometheus } from './demo-prometheus.js';
import type { DemoPrometheus } from './demo-prometheus.js';
import { startDemoProxy } from './demo-proxy.js';
import type { DemoProxy } from './demo-proxy.js';
import { proxyLegend, renderErrorTable, TABLE_LEGEND } from './error-table.js';
import { ensureKafkaJars } from './kafka-jars.js';
import { DEMO_CLIENT_IDS, startWorkload } from './workload.js';
import type { Workload } from './workload.js';

const EXIT_USAGE = 2;
const EXIT_SIGNAL = 130;
/** Bound on the whole shutdown; past it the demo exits anyway (the process guards still kill the JVM). */
const SHUTDOWN_LIMIT_MS = 30_000;

const out = (text: string): void => void process.stdout.write(text);
const err = (text: string): void => void process.stderr.write(text);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** What is running, stopped in reverse order. */
interface Running {
  exporter?: DemoExporter;
  broker?: KafkaBroker;
  prometheus?: DemoPrometheus | undefined;
  proxy?: DemoProxy;
  workload?: Workload;
  table?: NodeJS.Timeout;
}

async function stopAll(running: Running): Promise<void> {
  clearInterval(running.table);
  await running.workload?.stop(2_000);
  await running.proxy?.close();
  await running.exporter?.close();
  await running.prometheus?.stop();
  await running.broker?.stop();
}

/** Resolves with the reason to stop: a signal or the end of `--duration`. Before `started()`, a signal exits. */
function stopRequests(options: DemoOptions): { requested: Promise<string>; started(): void } {
  let started = false;
  let received = false;
  let resolveRequest: (reason: string) => void = () => {};
  const requested = new Promise<string>((resolve) => (resolveRequest = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    // During start-up, or a second signal: exit now; the process guards kill the broker JVM and Prometheus.
    if (!started || received) {
      err(`\n${signal}: exiting now\n`);
      process.exit(EXIT_SIGNAL);
    }
    received = true;
    resolveRequest(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested,
    started() {
      started = true;
      if (options.durationSeconds !== null) {
        setTimeout(
          () => resolveRequest(`--duration ${options.durationSeconds}`),
          options.durationSeconds * 1000,
        );
      }
    },
  };
}

async function run(options: DemoOptions): Promise<number> {
  const stop = stopRequests(options);
  const running: Running = {};
  const logger = createLogger('warn');
  try {
    out('kafka-error-exporter demo\n');
    try {
      running.exporter = await startDemoExporter(options.port, logger);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
      err(
        `cannot listen on 127.0.0.1:${options.port} (${code}): pass another --port, or --port 0 for a free one\n`,
      );
      return EXIT_USAGE;
    }
    const { exporter } = running;

    await ensureKafkaJars(PINNED_KAFKA_VERSION);
    out(`starting a Kafka ${PINNED_KAFKA_VERSION} broker (a local JVM, no Docker)…\n`);
    running.broker = await startBroker({ onLog: (line) => err(`${line}\n`) });
    const { broker } = running;
    if (options.prometheus) {
      // Prometheus is an extra: without it the demo still shows everything on /metrics and the landing page.
      running.prometheus = await startDemoPrometheus(`127.0.0.1:${exporter.port}`).catch((error: Error) => {
        err(`--prometheus: ${error.message}; continuing without Prometheus\n`);
        return undefined;
      });
    }

    if (options.proxy) {
      // The sidecar's proxy, in this process: demo-app's connections go through it.
      running.proxy = await startDemoProxy(broker.bootstrap, logger);
    }
    const { proxy } = running;

    const reported = new Set<string>();
    running.workload = startWorkload({
      bootstrap: broker.bootstrap,
      ...(proxy ? { proxyBootstrap: proxy.bootstrap } : {}),
      recorder: exporter.recorder,
      install: broker.install,
      onProblem(step, error) {
        if (reported.has(step)) return;
        reported.add(step);
        err(`workload: ${step} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    });
    const workloadStart = performance.now();
    stop.started();

    const rows: [string, string][] = [
      [
        `Kafka ${broker.version} broker`,
        `${broker.bootstrap} (pid ${broker.pid}, ready in ${seconds(broker.startMs)})`,
      ],
      ['metrics', `${exporter.url}/metrics`],
      ['landing page', `${exporter.url}/`],
      ['error codes', `${exporter.url}/codes`],
    ];
    if (proxy) {
      rows.push(
        [
          'kafka proxy',
          `${proxy.bootstrap} → ${broker.bootstrap} (client ${DEMO_CLIENT_IDS.app} goes through it)`,
        ],
        ['proxy metrics', `${proxy.url}/metrics (try: kcat -b ${proxy.bootstrap} -L)`],
      );
    }
    if (running.prometheus) {
      rows.push([
        'prometheus',
        `${running.prometheus.url} (pid ${running.prometheus.pid}; alerts: ${running.prometheus.url}/alerts)`,
      ]);
    }
    rows.push(['clients', running.workload.clientIds.join(', ')]);
    const width = Math.max(...rows.map(([label]) => label.length));
    out(`${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n')}\n`);
    out(
      `${options.durationSeconds === null ? 'Ctrl-C stops everything.' : `Stops after ${options.durationSeconds} s (or Ctrl-C).`}\n` +
        `${TABLE_LEGEND}\n${proxy ? `${proxyLegend(DEMO_CLIENT_IDS.app)}\n` : ''}\n`,
    );

    const { workload } = running;
    running.table = setInterval(() => {
      out(
        `${renderErrorTable({
          elapsedSeconds: (performance.now() - workloadStart) / 1000,
          errors: exporter.recorder.errorSummary(),
          throttle: exporter.throttle.rows(),
          responses: exporter.throttle.totalResponses(),
          ...(proxy
            ? { proxy: { errors: proxy.recorder.errorSummary(), responses: proxy.summary.totalResponses() } }
            : {}),
        })}\n`,
      );
    }, options.intervalSeconds * 1000);

    const reason = await stop.requested;
    out(
      `\n${reason}: stopping the workload, ${proxy ? 'the proxy, ' : ''}the exporter${running.prometheus ? ', Prometheus' : ''} and the broker…\n`,
    );
    const limit = setTimeout(() => {
      err(`shutdown took longer than ${seconds(SHUTDOWN_LIMIT_MS)}: exiting\n`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    limit.unref();
    await stopAll(running);
    out(`stopped after ${workload.rounds()} rounds; no process left behind\n`);
    return 0;
  } catch (error) {
    err(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll(running).catch(() => undefined);
    return 1;
  }
}

const parsed = parseDemoArgs(process.argv.slice(2));
if (parsed.kind === 'help') {
  out(DEMO_HELP);
} else if (parsed.kind === 'error') {
  err(`demo: ${parsed.message}\n\n${DEMO_HELP}`);
  process.exitCode = EXIT_USAGE;
} else {
  // kafkajs keeps timers and sockets of its own: exit once everything was stopped.
  void run(parsed.options).then((code) => process.exit(code));
}
