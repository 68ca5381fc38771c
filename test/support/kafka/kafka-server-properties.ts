// The server.properties of the single-node KRaft test broker, for the plaintext and the SASL profile.

/** `plaintext`: no auth, no authorizer. `sasl`: SASL_PLAINTEXT/PLAIN + StandardAuthorizer, no default access. */
export type BrokerProfile = 'plaintext' | 'sasl';

/** A SASL/PLAIN account of the `sasl` profile. */
export interface SaslCredentials {
  readonly username: string;
  readonly password: string;
}

/** The super user of the `sasl` profile: bypasses ACLs, used by the broker itself and by test setup. */
export const SASL_ADMIN: SaslCredentials = Object.freeze({ username: 'admin', password: 'admin-secret' });

/** Ordinary users of the `sasl` profile: they can do nothing until an ACL grants it. */
export const SASL_USERS: Readonly<Record<'alice' | 'bob', SaslCredentials>> = Object.freeze({
  alice: Object.freeze({ username: 'alice', password: 'alice-secret' }),
  bob: Object.freeze({ username: 'bob', password: 'bob-secret' }),
});

export interface ServerPropertiesInput {
  readonly profile: BrokerProfile;
  readonly dataDir: string;
  /** Port of the client listener (PLAINTEXT or SASL_PLAINTEXT, by profile). */
  readonly clientPort: number;
  readonly controllerPort: number;
  /** `sasl` only: an extra PLAINTEXT listener whose anonymous clients are super users. */
  readonly plaintextPort?: number;
  /**
   * `plaintext` only: also a SASL_SSL listener with SCRAM-SHA-512 on this port, its certificate and key in one
   * PEM file (unencrypted PKCS#8 key, then the certificate chain). Users are added with AlterUserScramCredentials.
   */
  readonly saslSsl?: { readonly port: number; readonly keystoreFile: string };
  /** Appended last, so it overrides the defaults. */
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * Settings shared by both profiles, each chosen for a one-node broker on a small, shared test machine.
 * The multi-node cluster (kafka-cluster-properties.ts) starts from these too and overrides the roles and
 * replication factors.
 */
export const SHARED_SERVER_PROPERTIES: Readonly<Record<string, string>> = {
  'process.roles': 'broker,controller',
  'node.id': '1',
  'controller.listener.names': 'CONTROLLER',
  // One broker: internal topics need RF 1 or the group coordinator never becomes available.
  'offsets.topic.replication.factor': '1',
  'offsets.topic.num.partitions': '1',
  'transaction.state.log.replication.factor': '1',
  'transaction.state.log.min.isr': '1',
  'transaction.state.log.num.partitions': '1',
  'share.coordinator.state.topic.replication.factor': '1',
  'share.coordinator.state.topic.min.isr': '1',
  'default.replication.factor': '1',
  'num.partitions': '1',
  // Tests create their topics; a typo must fail, not silently create a topic.
  'auto.create.topics.enable': 'false',
  // Fast joins, and sessions short enough that tests can let them expire.
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '1000',
  // Quota windows of one second, so throttling shows within a test's lifetime.
  'quota.window.num': '2',
  'quota.window.size.seconds': '1',
  'controller.quota.window.num': '2',
  'controller.quota.window.size.seconds': '1',
  'replication.quota.window.num': '2',
  'replication.quota.window.size.seconds': '1',
  // Few threads and a 1 MiB cleaner buffer instead of 128 MiB on the heap.
  'num.network.threads': '2',
  'num.io.threads': '2',
  'background.threads': '2',
  'num.recovery.threads.per.data.dir': '1',
  'log.cleaner.threads': '1',
  'log.cleaner.dedupe.buffer.size': '1048577',
};

function jaasLine(): string {
  const users = [SASL_ADMIN, SASL_USERS.alice, SASL_USERS.bob]
    .map((u) => `user_${u.username}="${u.password}"`)
    .join(' ');
  return (
    'org.apache.kafka.common.security.plain.PlainLoginModule required ' +
    `username="${SASL_ADMIN.username}" password="${SASL_ADMIN.password}" ${users};`
  );
}

function listenerProperties(input: ServerPropertiesInput): Record<string, string> {
  const controller = `CONTROLLER://127.0.0.1:${input.controllerPort}`;
  const voters = `1@127.0.0.1:${input.controllerPort}`;
  if (input.profile === 'plaintext') {
    const client = `PLAINTEXT://127.0.0.1:${input.clientPort}`;
    const plain = {
      'controller.quorum.voters': voters,
      listeners: `${client},${controller}`,
      'advertised.listeners': client,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'PLAINTEXT',
    };
    if (input.saslSsl === undefined) return plain;
    const secure = `SASL_SSL://127.0.0.1:${input.saslSsl.port}`;
    return {
      ...plain,
      listeners: `${client},${secure},${controller}`,
      'advertised.listeners': `${client},${secure}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.ssl.keystore.type': 'PEM',
      'listener.name.sasl_ssl.ssl.keystore.location': input.saslSsl.keystoreFile,
    };
  }
  const sasl = `SASL_PLAINTEXT://127.0.0.1:${input.clientPort}`;
  const plain = input.plaintextPort === undefined ? [] : [`PLAINTEXT://127.0.0.1:${input.plaintextPort}`];
  return {
    'controller.quorum.voters': voters,
    listeners: [sasl, ...plain, controller].join(','),
    'advertised.listeners': [sasl, ...plain].join(','),
    'listener.security.protocol.map':
      'SASL_PLAINTEXT:SASL_PLAINTEXT,PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'SASL_PLAINTEXT',
    'sasl.enabled.mechanisms': 'PLAIN',
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': jaasLine(),
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    // ANONYMOUS is the broker talking to its controller over the PLAINTEXT controller listener (it needs
    // CLUSTER_ACTION), and the clients of the optional PLAINTEXT listener, which stands in for "no auth".
    'super.users': `User:${SASL_ADMIN.username};User:ANONYMOUS`,
    'allow.everyone.if.no.acl.found': 'false',
  };
}

/** Renders server.properties text: listeners by profile, then the shared settings, then `extra`. */
export function renderServerProperties(input: ServerPropertiesInput): string {
  const all: Record<string, string> = {
    ...listenerProperties(input),
    'log.dirs': input.dataDir,
    ...SHARED_SERVER_PROPERTIES,
    ...input.extra,
  };
  return formatProperties(all);
}

/** One `key=value` line per entry, in insertion order (later spreads have already overridden earlier ones). */
export function formatProperties(entries: Readonly<Record<string, string>>): string {
  return `${Object.entries(entries)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}
