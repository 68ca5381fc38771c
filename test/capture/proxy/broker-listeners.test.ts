import { connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createBrokerListeners } from '../../../src/capture/proxy/broker-listeners.js';
import type { BrokerListeners } from '../../../src/capture/proxy/broker-listeners.js';
import { freePortRange } from '../../support/kafka/kafka-broker.js';

const open: BrokerListeners[] = [];
afterEach(async () => {
  for (const l of open.splice(0)) l.close();
});

async function listeners(portCount: number) {
  const basePort = await freePortRange(Math.max(1, portCount));
  const problems: [string, Record<string, unknown>][] = [];
  const connections: number[] = [];
  let count = 0;
  const l = createBrokerListeners({
    listenHost: '127.0.0.1',
    advertisedHost: 'sidecar',
    basePort,
    portCount,
    onConnection: (socket, nodeId) => {
      connections.push(nodeId);
      socket.destroy();
    },
    onProblem: (problem, detail) => problems.push([problem, detail]),
    onListenerCount: (delta) => (count += delta),
    onAcceptError: () => {},
  });
  open.push(l);
  return { l, basePort, problems, connections, count: () => count };
}

const upstream = (n: number) => ({ host: `kafka-${n}`, port: 9092 });

/** Waits for socket events on a busy machine: until `check` holds, or 2 s (then the assertion after it fails). */
async function settled(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('createBrokerListeners', () => {
  it('maps node n to base + n, and says when it listens there', async () => {
    const { l, basePort, connections } = await listeners(10);
    expect(l.whenBound()).toBeNull();
    expect(l.proxyAddressOf(3, upstream(3))).toEqual({ host: 'sidecar', port: basePort + 3 });
    expect(l.upstreamOf(3)).toEqual(upstream(3));
    // Node binds on the next tick: whoever sends the address waits for this, then a client can connect.
    const bound = l.whenBound();
    expect(bound).not.toBeNull();
    await bound;
    expect(l.whenBound()).toBeNull();
    expect(l.moves).toBe(0);
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: basePort + 3 }, () => resolve());
      socket.on('error', reject);
    });
    await settled(() => connections.length > 0);
    expect(connections).toEqual([3]);
  });

  it('gives ids beyond the range the highest free ports, in the order learnt, and keeps them', async () => {
    const { l, basePort } = await listeners(5);
    expect(l.proxyAddressOf(1001, upstream(1)).port).toBe(basePort + 4);
    expect(l.proxyAddressOf(77, upstream(2)).port).toBe(basePort + 3);
    expect(l.proxyAddressOf(1001, { host: 'moved', port: 9093 }).port).toBe(basePort + 4);
    expect(l.upstreamOf(1001)).toEqual({ host: 'moved', port: 9093 });
    // A small id whose own port was taken falls back to a free one.
    expect(l.proxyAddressOf(4, upstream(4)).port).toBe(basePort + 2);
    expect([...l.ports()].sort((a, b) => a[0] - b[0])).toEqual([
      [4, basePort + 2],
      [77, basePort + 3],
      [1001, basePort + 4],
    ]);
  });

  it('reports a node that finds no port once, and hands out port 0 so that clients fail loudly', async () => {
    const { l, problems } = await listeners(1);
    expect(l.proxyAddressOf(0, upstream(0)).port).toBeGreaterThan(0);
    expect(l.proxyAddressOf(9, upstream(9))).toEqual({ host: 'sidecar', port: 0 });
    expect(l.proxyAddressOf(9, upstream(9))).toEqual({ host: 'sidecar', port: 0 });
    expect(problems).toEqual([['no_port', { nodeId: 9, range: expect.stringMatching(/^\d+-\d+$/) }]]);
  });

  it('moves a node whose port another process holds to the next free port, and says so', async () => {
    const { l, basePort, problems, connections } = await listeners(4);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(basePort + 2, '127.0.0.1', resolve));
    try {
      expect(l.proxyAddressOf(2, upstream(2)).port).toBe(basePort + 2);
      // Bound means the node has moved and its new listener is bound.
      await l.whenBound();
      expect(l.moves).toBe(1);
      expect(l.ports().get(2)).toBe(basePort + 3);
      expect(problems).toEqual([['listen_failed', { nodeId: 2, port: basePort + 2, code: 'EADDRINUSE' }]]);
      // The next Metadata response names the new port, which reaches node 2 through the proxy.
      const moved = l.proxyAddressOf(2, upstream(2)).port;
      expect(moved).toBe(basePort + 3);
      expect(l.upstreamOf(2)).toEqual(upstream(2));
      await new Promise<void>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: moved }, () => resolve());
        socket.on('error', reject);
      });
      await settled(() => connections.length > 0);
      expect(connections).toEqual([2]);
    } finally {
      squatter.close();
    }
  });

  it('hands out port 0 and counts the node when the only port of the range is held by another process', async () => {
    const { l, basePort, problems } = await listeners(1);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(basePort, '127.0.0.1', resolve));
    try {
      l.proxyAddressOf(0, upstream(0));
      await settled(() => problems.length > 1);
      expect(l.proxyAddressOf(0, upstream(0))).toEqual({ host: 'sidecar', port: 0 });
      expect(problems.map(([problem]) => problem)).toEqual(['listen_failed', 'no_port']);
    } finally {
      squatter.close();
    }
  });

  it('closes a listener that is still binding: it never listens, and nothing waits for it', async () => {
    const { l, basePort, count } = await listeners(2);
    l.proxyAddressOf(1, upstream(1));
    l.close();
    expect(l.whenBound()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(count()).toBe(0);
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: basePort + 1 }, () => resolve('connected'));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('counts its listening sockets and closes them all', async () => {
    const { l, count } = await listeners(4);
    l.proxyAddressOf(0, upstream(0));
    l.proxyAddressOf(1, upstream(1));
    await settled(() => count() === 2);
    expect(count()).toBe(2);
    l.close();
    await settled(() => count() === 0);
    expect(count()).toBe(0);
  });
});
