// One-line access to the integration broker: its addresses, kafkajs clients, and suites that skip without it.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig } from 'kafkajs';
import { describe, inject } from 'vitest';
import { SASL_ADMIN } from '../../support/kafka/kafka-server-properties.js';
import type { SaslCredentials } from '../../support/kafka/kafka-server-properties.js';
import type { KafkaTestEnvironment } from './provided-context.js';

/** The environment the global setup provided. */
export function kafkaEnv(): KafkaTestEnvironment {
  return inject('kafka');
}

/**
 * `describe` that skips the whole suite when the global setup found no broker (never in CI, where the
 * setup fails instead). Use it for every integration suite: `describeWithKafka('…', () => { … })`.
 */
export function describeWithKafka(name: string, fn: () => void): void {
  describe.skipIf(!kafkaEnv().available)(name, fn);
}

/** Like describeWithKafka, but also skips when the cluster has no SASL listener (an external one). */
export function describeWithSaslKafka(name: string, fn: () => void): void {
  const env = kafkaEnv();
  describe.skipIf(!env.available || env.saslBrokers.length === 0)(name, fn);
}

/** A name no other test (or earlier run against an external cluster) uses: topics, groups, client ids. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A kafkajs client on the PLAINTEXT listener; kafkajs logging is off unless the test passes its own. */
export function plaintextKafka(config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: uniqueName('it'),
    logLevel: logLevel.NOTHING,
    ...config,
    brokers: [...kafkaEnv().brokers],
  });
}

/** A kafkajs client on the SASL_PLAINTEXT listener as `user` (default: the super user). */
export function saslKafka(user: SaslCredentials = SASL_ADMIN, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: uniqueName('it-sasl'),
    logLevel: logLevel.NOTHING,
    ...config,
    brokers: [...kafkaEnv().saslBrokers],
    sasl: { mechanism: 'plain', username: user.username, password: user.password },
  });
}
