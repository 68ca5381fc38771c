// server.properties of the test broker: listeners by profile, the authorizer, and the error-test settings.
import { describe, expect, it } from 'vitest';
import { SASL_ADMIN, SASL_USERS, renderServerProperties } from '../support/kafka/kafka-server-properties.js';
import type { ServerPropertiesInput } from '../support/kafka/kafka-server-properties.js';

function parse(text: string): Map<string, string> {
  return new Map(
    text
      .trimEnd()
      .split('\n')
      .map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)] as [string, string];
      }),
  );
}

const base = { dataDir: '/tmp/d', clientPort: 9092, controllerPort: 9093 } as const;

describe('renderServerProperties', () => {
  it.each<[string, ServerPropertiesInput, Record<string, string | undefined>]>([
    [
      'plaintext: one PLAINTEXT client listener, no authorizer',
      { ...base, profile: 'plaintext' },
      {
        listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
        'advertised.listeners': 'PLAINTEXT://127.0.0.1:9092',
        'controller.quorum.voters': '1@127.0.0.1:9093',
        'authorizer.class.name': undefined,
      },
    ],
    [
      'sasl: SASL_PLAINTEXT plus the optional PLAINTEXT listener, StandardAuthorizer, no default access',
      { ...base, profile: 'sasl', plaintextPort: 9094 },
      {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093',
        'advertised.listeners': 'SASL_PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9094',
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:admin;User:ANONYMOUS',
        'allow.everyone.if.no.acl.found': 'false',
        'inter.broker.listener.name': 'SASL_PLAINTEXT',
      },
    ],
    [
      'extra entries override the defaults',
      { ...base, profile: 'plaintext', extra: { 'auto.create.topics.enable': 'true' } },
      { 'auto.create.topics.enable': 'true' },
    ],
  ])('%s', (_name, input, expected) => {
    const props = parse(renderServerProperties(input));
    for (const [key, value] of Object.entries(expected)) expect(props.get(key)).toBe(value);
  });

  it('sets what error tests rely on: no auto-create, instant joins, short sessions and quota windows', () => {
    const props = parse(renderServerProperties({ ...base, profile: 'plaintext' }));
    expect(Object.fromEntries(props)).toMatchObject({
      'auto.create.topics.enable': 'false',
      'group.initial.rebalance.delay.ms': '0',
      'group.min.session.timeout.ms': '1000',
      'offsets.topic.replication.factor': '1',
      'quota.window.size.seconds': '1',
      'controller.quota.window.size.seconds': '1',
      'log.cleaner.dedupe.buffer.size': '1048577',
      'log.dirs': '/tmp/d',
    });
  });

  it('declares every SASL account in the JAAS line and lets the broker log in as the admin', () => {
    const jaas = parse(renderServerProperties({ ...base, profile: 'sasl' })).get(
      'listener.name.sasl_plaintext.plain.sasl.jaas.config',
    );
    for (const user of [SASL_ADMIN, SASL_USERS.alice, SASL_USERS.bob]) {
      expect(jaas).toContain(`user_${user.username}="${user.password}"`);
    }
    expect(jaas).toContain(`username="${SASL_ADMIN.username}" password="${SASL_ADMIN.password}"`);
    expect(jaas?.endsWith(';')).toBe(true);
  });
});
