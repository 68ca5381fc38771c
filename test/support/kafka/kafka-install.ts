// Where the Maven-fetched Kafka jars live and how to run one of Kafka's own Java tools from them.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Kafka version pinned for tests and the demo; scripts/kafka/fetch.sh uses the same default. */
export const PINNED_KAFKA_VERSION = '3.9.2';

/** A Kafka classpath on disk plus the files the JVM needs next to it. */
export interface KafkaInstall {
  readonly version: string;
  /** Major version: 3 uses reload4j and `kafka.admin.*` tools, 4 uses log4j2. */
  readonly major: number;
  readonly libsDir: string;
  /** `<libsDir>/*`, expanded by the Java launcher itself (so no shell is involved). */
  readonly classpath: string;
  /** The JVM flag that points the logging backend at the checked-in config. */
  readonly logConfigFlag: string;
}

export interface KafkaInstallOptions {
  /** @default PINNED_KAFKA_VERSION */
  version?: string;
  /** Folder of the jars. @default `<project>/.cache/kafka/<version>/libs` */
  libsDir?: string;
}

/** JVM flags for short-lived tools (StorageTool, ConfigCommand): small heap, fast start. */
export const TOOL_JVM_FLAGS: readonly string[] = [
  '-Xmx256m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:-UsePerfData',
  '-Djava.awt.headless=true',
];

/**
 * The project root, found from this file's location: `test/support/kafka/`, three levels below it (run by
 * tsx or vitest, never built into the package).
 */
export function projectRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/**
 * Locates the jars of one Kafka version. Throws with the command to run when they are missing,
 * because a broker started without its classpath fails with an unreadable Java error.
 */
export function resolveKafkaInstall(options: KafkaInstallOptions = {}): KafkaInstall {
  const version = options.version ?? PINNED_KAFKA_VERSION;
  const root = projectRoot();
  const libsDir = options.libsDir ?? path.join(root, '.cache', 'kafka', version, 'libs');
  if (!existsSync(libsDir)) {
    throw new Error(
      `Kafka ${version} jars not found in ${libsDir}: run \`bash scripts/kafka/fetch.sh ${version}\``,
    );
  }
  const major = Number.parseInt(version.split('.')[0] ?? '', 10);
  if (!Number.isInteger(major)) throw new Error(`Unparsable Kafka version: ${version}`);
  const logConfigFlag =
    major >= 4
      ? `-Dlog4j2.configurationFile=${path.join(root, 'scripts', 'kafka', 'log4j2.properties')}`
      : `-Dlog4j.configuration=file:${path.join(root, 'scripts', 'kafka', 'log4j.properties')}`;
  return { version, major, libsDir, classpath: path.join(libsDir, '*'), logConfigFlag };
}

/** The output of a finished Java tool. */
export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a Kafka main class (e.g. `kafka.admin.ConfigCommand`) from the jars and resolves with its output;
 * rejects with the tool's stderr in the message when it exits non-zero or outlives `timeoutMs`.
 */
export function runKafkaTool(
  install: KafkaInstall,
  mainClass: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<ToolResult> {
  const argv = [...TOOL_JVM_FLAGS, install.logConfigFlag, '-cp', install.classpath, mainClass, ...args];
  return new Promise((resolve, reject) => {
    execFile(
      'java',
      argv,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = `${stderr}\n${stdout}`.trim().split('\n').slice(-20).join('\n');
          reject(new Error(`${mainClass} ${args.join(' ')} failed: ${error.message}\n${detail}`));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}
