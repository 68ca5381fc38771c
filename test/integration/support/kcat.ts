// Runs kcat (librdkafka: a second, non-JavaScript client) against the test broker.
import { execFile } from 'node:child_process';
import type { SaslCredentials } from '../../support/kafka/kafka-server-properties.js';

export interface KcatOptions {
  /** Bootstrap addresses (`host:port`). */
  readonly brokers: readonly string[];
  /** SASL_PLAINTEXT/PLAIN credentials; omit for PLAINTEXT. */
  readonly sasl?: SaslCredentials;
  /** Extra librdkafka properties (`-X key=value`). */
  readonly properties?: Readonly<Record<string, string>>;
  /** @default 30_000 */
  readonly timeoutMs?: number;
}

/** The `kcat -L -J` metadata document (the fields tests read). */
export interface KcatMetadata {
  readonly brokers: readonly { readonly id: number; readonly name: string }[];
  readonly topics: readonly {
    readonly topic: string;
    readonly error?: string;
    readonly partitions: readonly { readonly partition: number; readonly leader: number }[];
  }[];
}

const KCAT = process.env.KCAT ?? '/usr/bin/kcat';

function connectionArgs(options: KcatOptions): string[] {
  const args = ['-b', options.brokers.join(',')];
  const props: Record<string, string> = { ...options.properties };
  if (options.sasl) {
    props['security.protocol'] = 'SASL_PLAINTEXT';
    props['sasl.mechanism'] = 'PLAIN';
    props['sasl.username'] = options.sasl.username;
    props['sasl.password'] = options.sasl.password;
  }
  for (const [key, value] of Object.entries(props)) args.push('-X', `${key}=${value}`);
  return args;
}

/** Runs kcat with `args`, feeding `input` to stdin; rejects with kcat's stderr on a non-zero exit. */
export function runKcat(options: KcatOptions, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      KCAT,
      [...connectionArgs(options), ...args],
      { timeout: options.timeoutMs ?? 30_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kcat ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/**
 * Produces one message per entry (value only, or `key` + `value` with the `\t` key delimiter); kcat
 * exits after delivery of all of them, so the promise resolves once the broker acknowledged them.
 */
export async function kcatProduce(
  options: KcatOptions,
  topic: string,
  messages: readonly (string | { readonly key: string; readonly value: string })[],
): Promise<void> {
  const keyed = messages.some((m) => typeof m !== 'string');
  const lines = messages.map((m) =>
    typeof m === 'string' ? (keyed ? `\t${m}` : m) : `${m.key}\t${m.value}`,
  );
  if (lines.some((line) => line.includes('\n')))
    throw new Error('kcatProduce: messages must be single lines');
  await runKcat(
    options,
    ['-P', '-t', topic, ...(keyed ? ['-K', '\t'] : []), '-X', 'acks=all'],
    lines.join('\n') + '\n',
  );
}

/** Consumes `count` messages from the start of `topic` (all partitions) and returns their values. */
export async function kcatConsume(options: KcatOptions, topic: string, count: number): Promise<string[]> {
  const out = await runKcat(options, ['-C', '-t', topic, '-o', 'beginning', '-c', String(count), '-e', '-q']);
  return out.split('\n').filter((line) => line.length > 0);
}

/** Cluster metadata as kcat (librdkafka) sees it, optionally for one topic. */
export async function kcatMetadata(options: KcatOptions, topic?: string): Promise<KcatMetadata> {
  const out = await runKcat(options, ['-L', '-J', ...(topic ? ['-t', topic] : [])]);
  return JSON.parse(out) as KcatMetadata;
}
