// `serve --proxy-upstream` as a process, without a cluster: readiness waits for the cluster, the proxy's
// self-metrics are served, a taken bootstrap port is a configuration error that names it.
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, freePortRange } from '../support/kafka/kafka-broker.js';
import { killAll, spawnServe, startServe } from '../server/serve-process.js';

afterEach(() => killAll());

describe('serve with the Kafka protocol proxy', { timeout: 30_000 }, () => {
  it('is not ready while the cluster is unreachable, and serves the proxy self-metrics', async () => {
    const nobody = await freePort();
    const listen = await freePortRange(11);
    const serve = await startServe([
      '--proxy-upstream',
      `127.0.0.1:${nobody}`,
      '--proxy-listen',
      `127.0.0.1:${listen}`,
      '--proxy-broker-ports',
      `${listen + 1}-${listen + 10}`,
      '--proxy-connect-timeout',
      '500ms',
    ]);
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${serve.url}/readyz`)).status).toBe(503);
    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    expect(metrics).toContain('kafka_error_exporter_proxy_listeners 1');
    expect(metrics).toContain('kafka_error_exporter_proxy_connections{side="client"} 0');
    expect(metrics).toContain('kafka_error_exporter_proxy_bytes_total{direction="to_broker"} 0');
    expect(serve.stderr()).toContain(`"proxy":"127.0.0.1:${listen}"`);
  });

  it('refuses a bootstrap port that is taken, naming it, with exit code 2', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const serve = spawnServe([
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--proxy-upstream',
        '127.0.0.1:9',
        '--proxy-listen',
        `127.0.0.1:${port}`,
        '--proxy-broker-ports',
        `${port + 1}-${port + 10}`,
      ]);
      expect(await serve.exited).toBe(2);
      expect(serve.stderr()).toContain(
        `cannot listen on 127.0.0.1:${port} (proxyListen): the address is already in use`,
      );
    } finally {
      taken.close();
    }
  });

  it('refuses a broker port range that holds the bootstrap port', async () => {
    const serve = spawnServe([
      '--proxy-upstream',
      'k:9092',
      '--proxy-listen',
      '127.0.0.1:19100',
      '--proxy-broker-ports',
      '19090-19199',
    ]);
    expect(await serve.exited).toBe(2);
    expect(serve.stderr()).toContain('includes the port of proxyListen (19100)');
  });
});
