// What the integration global setup hands to test files through vitest's provide/inject.

/** The Kafka cluster integration tests run against, or why there is none. */
export interface KafkaTestEnvironment {
  /** False when no broker could be had outside CI: suites skip (see describeWithKafka). */
  readonly available: boolean;
  /** Why `available` is false; empty otherwise. */
  readonly unavailableReason: string;
  /** `local`: started by the harness; `external`: from KAFKA_BROKERS / KAFKA_SASL_BROKERS. */
  readonly source: 'local' | 'external' | 'none';
  /** PLAINTEXT bootstrap addresses (no auth; on the local broker its clients are super users). */
  readonly brokers: readonly string[];
  /** SASL_PLAINTEXT/PLAIN bootstrap addresses with the accounts of SASL_ADMIN / SASL_USERS; empty if none. */
  readonly saslBrokers: readonly string[];
  /** Kafka version of the local broker; 'external' otherwise. */
  readonly version: string;
  /** Pid of the local broker JVM, null otherwise. */
  readonly brokerPid: number | null;
}

declare module 'vitest' {
  interface ProvidedContext {
    kafka: KafkaTestEnvironment;
  }
}
