// The accepted client socket handed to a socket with a reused read buffer: bytes, ends and the server's count.
import { connect, createServer, Socket } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptClientSocket } from '../../../src/capture/proxy/client-socket.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function listen(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ close: () => new Promise((resolve) => server.close(resolve)) });
  return { server, port: (server.address() as AddressInfo).port };
}

describe('adoptClientSocket', () => {
  it('takes over an accepted connection on this Node: reads into one reused buffer, writes, ends, and leaves the server no connection', async () => {
    const reads: Buffer[] = [];
    const backing = new Set<ArrayBufferLike>();
    let adopted: Socket | null = null;
    const { server, port } = await listen((accepted) => {
      adopted = adoptClientSocket(accepted, {
        data: (chunk) => {
          backing.add(chunk.buffer);
          reads.push(Buffer.from(chunk));
          adopted?.write(chunk);
        },
        holdsReadBuffer: () => false,
      });
      adopted?.on('end', () => adopted?.end());
    });
    const client = connect(port, '127.0.0.1');
    open.push({ close: () => client.destroy() });
    const echoed: Buffer[] = [];
    client.on('data', (chunk: Buffer) => echoed.push(chunk));
    await new Promise((resolve) => client.once('connect', resolve));
    for (const word of ['one', 'two', 'three']) {
      client.write(word);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    client.end();
    // The adopted socket saw the end and ended its side: the client's socket closes.
    await new Promise((resolve) => client.once('close', resolve));
    expect(adopted).not.toBeNull();
    expect(Buffer.concat(echoed).toString()).toBe('onetwothree');
    expect(Buffer.concat(reads).toString()).toBe('onetwothree');
    expect(reads.length).toBeGreaterThan(1);
    // Every read landed in the same memory: no buffer per read.
    expect(backing.size).toBe(1);
    // The accepted socket was given up at once: the server counts no connection, and closes without waiting.
    expect(await new Promise((resolve) => server.getConnections((_e, count) => resolve(count)))).toBe(0);
  });

  it('gives a new buffer for the next read while the last one is held', async () => {
    const backing = new Set<ArrayBufferLike>();
    let reads = 0;
    await new Promise<void>((resolve) => {
      void listen((accepted) => {
        const adopted = adoptClientSocket(accepted, {
          data: (chunk) => {
            backing.add(chunk.buffer);
            if (++reads === 3) resolve();
          },
          holdsReadBuffer: () => true,
        });
        adopted?.on('error', () => {});
      }).then(({ port }) => {
        const client = connect(port, '127.0.0.1');
        open.push({ close: () => client.destroy() });
        client.on('connect', async () => {
          for (const word of ['a', 'b', 'c']) {
            client.write(word);
            await new Promise((r) => setTimeout(r, 20));
          }
        });
      });
    });
    expect(backing.size).toBe(3);
  });

  it('declines a socket without a connection handle: the caller reads its events', () => {
    expect(adoptClientSocket(new Socket(), { data: () => {}, holdsReadBuffer: () => false })).toBeNull();
  });
});
