// The protocol proxy against the real integration broker: kcat (librdkafka) and kafkajs produce, consume in a
// group and commit through it, see only the proxy's addresses, and every response is counted.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKafka, kafkaEnv, uniqueName } from '../support/kafka-env.js';
import { kcatConsume, kcatMetadata, kcatProduce, runKcat } from '../support/kcat.js';
import { startProxyUnderTest } from '../support/proxy-under-test.js';
import type { ProxyUnderTest } from '../support/proxy-under-test.js';
import { freePort } from '../../support/kafka/kafka-broker.js';

let px: ProxyUnderTest;

beforeAll(async () => {
  if (!kafkaEnv().available) return;
  px = await startProxyUnderTest(kafkaEnv().brokers);
});
afterAll(async () => {
  await px?.close();
});

async function createTopic(topic: string, partitions = 3): Promise<void> {
  const admin = new Kafka({ brokers: [px.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
}

describeWithKafka('Kafka protocol proxy, one broker', () => {
  it('hands kcat only its own broker addresses', async () => {
    const meta = await kcatMetadata({ brokers: [px.bootstrap] });
    expect(meta.brokers.length).toBeGreaterThan(0);
    for (const broker of meta.brokers) {
      const [host, port] = broker.name.split(':');
      expect(host).toBe('127.0.0.1');
      expect(Number(port)).toBeGreaterThanOrEqual(px.brokerPorts.first);
      expect(Number(port)).toBeLessThanOrEqual(px.brokerPorts.last);
    }
    expect(px.proxy.ready).toBe(true);
  });

  it('carries kcat produce, group consume and commit, and counts its responses', async () => {
    const topic = uniqueName('px-kcat');
    await createTopic(topic);
    const clientId = uniqueName('kcat');
    const opts = { brokers: [px.bootstrap], properties: { 'client.id': clientId } };
    await kcatProduce(opts, topic, ['a', 'b', 'c', 'd']);
    expect((await kcatConsume(opts, topic, 4)).sort()).toEqual(['a', 'b', 'c', 'd']);
    const group = uniqueName('grp');
    const out = await runKcat(opts, ['-C', '-G', group, '-o', 'beginning', '-c', '4', '-e', '-q', topic]);
    expect(out.split('\n').filter(Boolean).sort()).toEqual(['a', 'b', 'c', 'd']);
    const responses = await px.responses(clientId);
    for (const api of [
      'ApiVersions',
      'Metadata',
      'Produce',
      'Fetch',
      'FindCoordinator',
      'JoinGroup',
      'SyncGroup',
      'OffsetCommit',
    ]) {
      expect(responses[api], api).toBeGreaterThan(0);
    }
    // librdkafka's first JoinGroup of a new member is refused with MEMBER_ID_REQUIRED (KIP-394).
    expect(await px.responseErrors(clientId)).toContainEqual({ code: 79, api: 'JoinGroup', count: 1 });
  });

  it('counts the errors kafkajs meets through it, per code', async () => {
    const clientId = uniqueName('kjs');
    const viaProxy = new Kafka({
      clientId,
      brokers: [px.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 },
    });
    const producer = viaProxy.producer();
    await producer.connect();
    await expect(
      producer.send({ topic: uniqueName('missing'), messages: [{ value: 'v' }] }),
    ).rejects.toThrow();
    await expect(
      producer.send({ topic: uniqueName('bad'), acks: 2, messages: [{ value: 'v' }] }),
    ).rejects.toThrow();
    await producer.disconnect();
    const errors = await px.responseErrors(clientId);
    expect(errors.find((e) => e.code === 3 && e.api === 'Metadata')?.count).toBeGreaterThanOrEqual(3);
  });

  it('closes only the connection that sends a malformed frame, and counts it', async () => {
    const before = px.proxy.stats.closed.malformed_request;
    const [host, port] = px.bootstrap.split(':');
    const bad = connect({ host: host!, port: Number(port) });
    await new Promise((resolve) => bad.once('connect', resolve));
    const closed = new Promise((resolve) => bad.once('close', resolve));
    bad.write(Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3, 4])); // a negative frame size
    await closed;
    expect(px.proxy.stats.closed.malformed_request).toBe(before + 1);
    // Everyone else is served as before.
    expect((await kcatMetadata({ brokers: [px.bootstrap] })).brokers.length).toBeGreaterThan(0);
  });

  it('refuses clients at once when the cluster is unreachable, counted as NETWORK_EXCEPTION on connect', async () => {
    const nobody = await freePort();
    const dead = await startProxyUnderTest([`127.0.0.1:${nobody}`]);
    try {
      expect(dead.proxy.ready).toBe(false);
      const [host, port] = dead.bootstrap.split(':');
      const started = Date.now();
      const socket: Socket = connect({ host: host!, port: Number(port) });
      // An ApiVersions v0 request with client id "probe".
      const body = Buffer.from([0, 18, 0, 0, 0, 0, 0, 1, 0, 5, ...Buffer.from('probe')]);
      const frame = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
      socket.on('connect', () => socket.write(frame));
      await new Promise((resolve) => socket.once('close', resolve));
      expect(Date.now() - started).toBeLessThan(2000);
      const ops = (await dead.samples()).filter((s) => s.name === 'kafka_client_operation_errors_total');
      expect(ops).toEqual([
        expect.objectContaining({
          value: 1,
          labels: expect.objectContaining({
            messaging_client_id: 'probe',
            kafka_error_code: '13',
            kafka_error_origin: 'client',
            messaging_operation_name: 'connect',
          }),
        }),
      ]);
      expect(dead.proxy.stats.closed.upstream_unreachable).toBe(1);
    } finally {
      await dead.close();
    }
  });
});
