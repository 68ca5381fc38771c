// Acceptance: the broker goes away under a sending producer: NETWORK_EXCEPTION of client origin.
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../support/kafka/kafka-broker.js';
import { kafkaEnv, uniqueName } from '../support/kafka-env.js';
import { instrumentedClient, withAdmin } from './scenario-support.js';

// A dedicated broker, since this one is stopped: only where the harness runs brokers itself.
describe.skipIf(kafkaEnv().source !== 'local')('connection loss', () => {
  it('13 NETWORK_EXCEPTION (client origin): the broker stops while a producer sends', async () => {
    const broker = await startBroker({ profile: 'plaintext', version: kafkaEnv().version });
    const c = instrumentedClient({
      brokers: [broker.bootstrap],
      connectionTimeout: 300,
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
    });
    try {
      const topic = uniqueName('doomed');
      await withAdmin(c.kafka, (admin) => admin.createTopics({ topics: [{ topic }], waitForLeaders: true }));
      const producer = c.kafka.producer();
      await producer.connect();
      let sent = 0;
      let failure: unknown;
      const sending = (async () => {
        while (failure === undefined) {
          try {
            await producer.send({ topic, messages: [{ value: `m${sent}` }] });
            sent += 1;
          } catch (error) {
            failure = error;
          }
        }
      })();
      while (sent < 20) await new Promise((resolve) => setTimeout(resolve, 10));
      // A hard stop (SIGKILL to the broker's process group): a graceful one answers LEADER_NOT_AVAILABLE
      // first, which kafkajs retries and reports as such (a broker code, not a lost connection).
      process.kill(-broker.pid, 'SIGKILL');
      await sending;
      await producer.disconnect();
      // kafkajs gives up reconnecting: a non-retriable wrapper around the refused connection.
      expect((failure as { cause?: { name?: string } }).cause?.name).toBe('KafkaJSConnectionError');
      // No broker response carries it: 13 is the client's own verdict, at the application only.
      expect((await c.responseErrors()).filter((row) => row.code === 13)).toEqual([]);
      expect(await c.operationErrors()).toEqual([
        { code: 13, type: 'NETWORK_EXCEPTION', origin: 'client', operation: 'send', count: 1 },
      ]);
      expect(await c.responseErrors()).toEqual([]);
    } finally {
      c.handle.detach();
      await broker.stop();
    }
  });
});
