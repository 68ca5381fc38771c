// Runs the real Java Kafka client (test/support/java/KafkaClientHarness.java) and parses its JSON result.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './kafka-install.js';
import { guardProcessGroup, signalGroup } from './process-group-guard.js';

/** The Java client version; scripts/kafka/fetch-client.sh uses the same default. */
export const JAVA_CLIENT_VERSION = '4.4.0';

/** The harness commands (see the header of KafkaClientHarness.java for their flags). */
export type JavaClientCommand =
  'produce' | 'consume' | 'admin-create-topics' | 'fence' | 'set-quota' | 'set-scram' | 'admin-errors';

/** Flags without the `--`: `true` passes a bare flag, `false` and `undefined` leave it out. */
export type JavaClientArgs = Readonly<Record<string, string | number | boolean | undefined>>;

export interface JavaClientOptions {
  /** The JVM is SIGKILLed after this long and the call rejects. @default 60_000 */
  timeoutMs?: number;
  /** Extra client settings, passed as repeated `--config key=value`. */
  config?: Readonly<Record<string, string>>;
  /** Resolve with `ok: false` results instead of rejecting on them. @default false */
  allowFailure?: boolean;
  /** @default JAVA_CLIENT_VERSION */
  version?: string;
  /** @default `<project>/.cache/java-client/<version>/libs` */
  libsDir?: string;
  /** The client's slf4j-simple log level (its log goes to stderr, kept for error messages). @default 'warn' */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

/** What every command prints; each command adds its own fields (see KafkaClientHarness.java). */
export interface JavaClientResult {
  readonly command: string;
  /** False when the command broke off (`failure` says why). */
  readonly ok: boolean;
  readonly failure?: JavaClientOutcome;
  readonly [field: string]: unknown;
}

/** How one client operation ended: `NONE`/0, or the Kafka error name and code it surfaced. */
export interface JavaClientOutcome {
  readonly error: string;
  /** The Kafka protocol error code; -1 for a client-side exception that is no protocol error. */
  readonly code: number;
  readonly exception?: string;
  readonly message?: string;
  readonly stage?: string;
}

/** Failures grouped by Kafka error name, as the harness reports them. */
export type JavaClientErrorCounts = Readonly<
  Record<
    string,
    { readonly code: number; readonly count: number; readonly exceptions: Record<string, number> }
  >
>;

const JVM_FLAGS = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData'];

/** `<libs>/*` of the fetched client jars, e.g. to run `org.apache.kafka.tools.ProducerPerformance`. */
export function javaClientClasspath(version = JAVA_CLIENT_VERSION, libsDir?: string): string {
  const dir = libsDir ?? path.join(projectRoot(), '.cache', 'java-client', version, 'libs');
  if (!existsSync(dir)) {
    throw new Error(
      `Java client ${version} jars not found in ${dir}: run \`bash scripts/kafka/fetch-client.sh ${version}\``,
    );
  }
  return path.join(dir, '*');
}

/** The harness's argv after the command: `--name value` pairs, bare flags, then `--config key=value`. */
export function javaClientArgv(
  args: JavaClientArgs,
  config: Readonly<Record<string, string>> = {},
): string[] {
  const argv: string[] = [];
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined || value === false) continue;
    argv.push(`--${name}`);
    if (value !== true) argv.push(String(value));
  }
  for (const [key, value] of Object.entries(config)) argv.push('--config', `${key}=${value}`);
  return argv;
}

function lastJsonLine(stdout: string): JavaClientResult | undefined {
  const line = stdout
    .trimEnd()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line) as JavaClientResult;
  } catch {
    return undefined;
  }
}

/**
 * Runs one harness command in a fresh JVM (Java 17 source-launch mode: no build step, ~2 s of compiling)
 * and resolves with its JSON line. Rejects on a usage error, on a result with `ok: false` (unless
 * `allowFailure`), when no JSON came out, and on timeout, each time with the tail of the client's stderr.
 * The JVM leads its own process group, which is killed on timeout and if this process dies.
 */
export function runJavaClient<T extends JavaClientResult = JavaClientResult>(
  command: JavaClientCommand,
  args: JavaClientArgs,
  options: JavaClientOptions = {},
): Promise<T> {
  const classpath = javaClientClasspath(options.version, options.libsDir);
  const harness = path.join(projectRoot(), 'test', 'support', 'java', 'KafkaClientHarness.java');
  const argv = [
    ...JVM_FLAGS,
    `-Dorg.slf4j.simpleLogger.defaultLogLevel=${options.logLevel ?? 'warn'}`,
    '-cp',
    classpath,
    harness,
    command,
    ...javaClientArgv(args, options.config),
  ];
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn('java', argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const pid = child.pid;
    const release = pid === undefined ? () => {} : guardProcessGroup(pid, undefined, 1);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    }, timeoutMs);
    const fail = (why: string) => {
      const tail = stderr.trimEnd().split('\n').slice(-20).join('\n');
      reject(new Error(`java client ${command}: ${why}\n--- client stderr tail ---\n${tail}`));
    };
    child.once('error', (error) => {
      clearTimeout(timer);
      release();
      fail(`could not run java: ${error.message}`);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      release();
      if (timedOut) return fail(`killed after ${timeoutMs} ms`);
      const result = lastJsonLine(stdout);
      if (!result) return fail(`no JSON result (exit ${code}, signal ${signal})\n${stdout}`);
      if (typeof result.usage === 'string') return fail(`usage: ${result.usage}`);
      if (!result.ok && !options.allowFailure) return fail(`broke off: ${JSON.stringify(result.failure)}`);
      resolve(result as T);
    });
  });
}
