// The demo's command-line options (`npm run demo -- --port 9464 --duration 60 --prometheus --proxy`), parsed and
// validated.
import { parseArgs } from 'node:util';

/** What the demo runs with. */
export interface DemoOptions {
  /** Port of the exporter on 127.0.0.1; 0 picks a free one. @default 9464 */
  readonly port: number;
  /** Seconds to run before stopping by itself; `null` runs until Ctrl-C or SIGTERM. @default null */
  readonly durationSeconds: number | null;
  /** Seconds between two tables of what was captured. @default 5 */
  readonly intervalSeconds: number;
  /** Also start Prometheus (`/usr/bin/prometheus`) scraping the exporter with the bundled rules. @default false */
  readonly prometheus: boolean;
  /** Run demo-app through the Kafka protocol proxy and show the proxy's counts next to the capture's. @default false */
  readonly proxy: boolean;
}

export const DEMO_DEFAULTS: DemoOptions = Object.freeze({
  port: 9464,
  durationSeconds: null,
  intervalSeconds: 5,
  prometheus: false,
  proxy: false,
});

export const DEMO_HELP = `Usage: npm run demo -- [options]   (or: node --import tsx demo/main.ts [options])

Starts a local Kafka broker, the exporter (the same HTTP server as \`kafka-error-exporter serve\`) and a
workload of instrumented kafkajs clients that provokes real broker errors and throttling. Prints where to
look, then a table of the captured errors every few seconds. Ctrl-C stops everything.

Options:
  --port <n>        exporter port on 127.0.0.1; 0 picks a free one       (default ${DEMO_DEFAULTS.port})
  --duration <s>    stop by itself after this many seconds              (default: run until Ctrl-C)
  --interval <s>    seconds between two tables                          (default ${DEMO_DEFAULTS.intervalSeconds})
  --prometheus      also start /usr/bin/prometheus on 127.0.0.1, scraping the exporter with the alert
                    and recording rules of deploy/prometheus (skipped with a warning when missing)
  --proxy           also start the sidecar's Kafka protocol proxy (serve --proxy-upstream) on free
                    loopback ports; the demo-app client connects through it, and the table gains a
                    \`proxy\` column: the codes as the proxy counted them, next to the in-process capture
  -h, --help        show this help

Needs Java 17 and Maven for the broker: the jars are fetched from Maven Central on the first run
(bash scripts/kafka/fetch.sh).
`;

/** The parsed command line: options, a help request, or what is wrong with it. */
export type ParsedDemoArgs =
  | { readonly kind: 'options'; readonly options: DemoOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

function number(
  flag: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | string | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    return `${flag} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`;
  }
  return value;
}

/** Parses the demo's arguments (after `--` when run through npm). Never throws. */
export function parseDemoArgs(argv: readonly string[]): ParsedDemoArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        duration: { type: 'string' },
        interval: { type: 'string' },
        prometheus: { type: 'boolean' },
        proxy: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  if (values.help === true) return { kind: 'help' };
  const port = number('--port', values.port as string | undefined, 0, 65_535);
  const duration = number('--duration', values.duration as string | undefined, 1, 86_400);
  const interval = number('--interval', values.interval as string | undefined, 1, 3_600);
  for (const checked of [port, duration, interval]) {
    if (typeof checked === 'string') return { kind: 'error', message: checked };
  }
  if (port !== undefined && !Number.isInteger(port)) {
    return { kind: 'error', message: `--port must be an integer, got ${String(port)}` };
  }
  return {
    kind: 'options',
    options: {
      port: (port as number | undefined) ?? DEMO_DEFAULTS.port,
      durationSeconds: (duration as number | undefined) ?? DEMO_DEFAULTS.durationSeconds,
      intervalSeconds: (interval as number | undefined) ?? DEMO_DEFAULTS.intervalSeconds,
      prometheus: values.prometheus === true,
      proxy: values.proxy === true,
    },
  };
}
