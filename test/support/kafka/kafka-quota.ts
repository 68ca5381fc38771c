// Client quotas set and read with Kafka's own ConfigCommand from the jars (kafkajs has no AlterClientQuotas).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveKafkaInstall, runKafkaTool } from './kafka-install.js';
import type { KafkaInstall } from './kafka-install.js';
import type { SaslCredentials } from './kafka-server-properties.js';

/** Whom a quota applies to: a client id, a user principal, or both together. */
export interface QuotaEntity {
  readonly clientId?: string;
  readonly user?: string;
}

/** The client quota keys Kafka knows (rates in bytes/s, percent of a thread, mutations/s). */
export interface ClientQuota {
  readonly producer_byte_rate?: number;
  readonly consumer_byte_rate?: number;
  readonly request_percentage?: number;
  readonly controller_mutation_rate?: number;
}

export interface QuotaCommandOptions {
  /** Credentials for a SASL_PLAINTEXT/PLAIN bootstrap; omit for PLAINTEXT. */
  readonly sasl?: SaslCredentials;
  /**
   * Jars to run ConfigCommand from. The pinned 3.9 jars work against 4.x brokers too (AlterClientQuotas),
   * and `kafka.admin.ConfigCommand` is gone from kafka_2.13 4.4 (moved to kafka-tools).
   * @default the pinned version's jars
   */
  readonly install?: KafkaInstall;
}

const QUOTA_KEYS = [
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
] as const;

function entityArgs(entity: QuotaEntity): string[] {
  const args: string[] = [];
  if (entity.user !== undefined) args.push('--entity-type', 'users', '--entity-name', entity.user);
  if (entity.clientId !== undefined) args.push('--entity-type', 'clients', '--entity-name', entity.clientId);
  if (args.length === 0) throw new Error('A quota entity needs a clientId, a user, or both');
  return args;
}

// Runs ConfigCommand; SASL credentials go through a private temp file, never the command line.
async function configCommand(
  bootstrap: string,
  args: string[],
  options: QuotaCommandOptions,
): Promise<string> {
  const install = options.install ?? resolveKafkaInstall();
  const base = ['--bootstrap-server', bootstrap];
  let dir: string | undefined;
  try {
    if (options.sasl) {
      dir = mkdtempSync(path.join(tmpdir(), 'kafka-cmd-'));
      const file = path.join(dir, 'client.properties');
      const { username, password } = options.sasl;
      writeFileSync(
        file,
        'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n' +
          'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ' +
          `username="${username}" password="${password}";\n`,
        { mode: 0o600 },
      );
      base.push('--command-config', file);
    }
    return (await runKafkaTool(install, 'kafka.admin.ConfigCommand', [...base, ...args])).stdout;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Sets client quotas with `kafka.admin.ConfigCommand --alter --add-config`, e.g.
 * `setClientQuota('127.0.0.1:9092', { clientId: 'slow' }, { producer_byte_rate: 1024 })`.
 * The broker applies it through its metadata log within a moment; `describeClientQuota` reads it back.
 */
export async function setClientQuota(
  bootstrap: string,
  entity: QuotaEntity,
  quota: ClientQuota,
  options: QuotaCommandOptions = {},
): Promise<void> {
  const pairs = QUOTA_KEYS.filter((key) => quota[key] !== undefined).map((key) => `${key}=${quota[key]}`);
  if (pairs.length === 0) throw new Error('setClientQuota needs at least one quota value');
  await configCommand(
    bootstrap,
    ['--alter', ...entityArgs(entity), '--add-config', pairs.join(',')],
    options,
  );
}

/** Removes the given quota keys (default: all four) from an entity. */
export async function deleteClientQuota(
  bootstrap: string,
  entity: QuotaEntity,
  keys: readonly (keyof ClientQuota)[] = QUOTA_KEYS,
  options: QuotaCommandOptions = {},
): Promise<void> {
  await configCommand(
    bootstrap,
    ['--alter', ...entityArgs(entity), '--delete-config', keys.join(',')],
    options,
  );
}

/**
 * Reads an entity's quotas with `ConfigCommand --describe`, parsing its
 * "Quota configs for … are producer_byte_rate=1024.0, …" line; `{}` when none are set.
 */
export async function describeClientQuota(
  bootstrap: string,
  entity: QuotaEntity,
  options: QuotaCommandOptions = {},
): Promise<ClientQuota> {
  const out = await configCommand(bootstrap, ['--describe', ...entityArgs(entity)], options);
  const line = out.split('\n').find((l) => l.startsWith('Quota configs for'));
  const result: Record<string, number> = {};
  for (const match of (line ?? '').matchAll(/(\w+)=([\d.]+)/g)) {
    const [, key, value] = match;
    if (key !== undefined && value !== undefined) result[key] = Number(value);
  }
  return result;
}
