// The plain dialer's read buffer: reused from read to read, replaced while the receiver still holds bytes of it.
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { READ_BUFFER_BYTES } from '../../../src/capture/proxy/read-buffer.js';
import { createUpstreamDialer } from '../../../src/capture/proxy/upstream-dialer.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A server that sends `payload` to each connection and closes it. */
async function sender(payload: Buffer): Promise<number> {
  const server = createServer((socket) => socket.end(payload));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Receives everything from a plain connection; `hold` says whether the receiver keeps each chunk's memory. */
async function receiveAll(port: number, hold: boolean): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  const socket = createUpstreamDialer(null).dial(
    { host: '127.0.0.1', port },
    { data: (chunk) => void chunks.push(chunk), holdsReadBuffer: () => hold },
  );
  await new Promise((resolve) => socket.once('end', resolve));
  socket.destroy();
  return chunks;
}

describe('createUpstreamDialer (plain)', () => {
  const payload = Buffer.alloc(4 * READ_BUFFER_BYTES + 12345);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 9)) & 0xff;

  it('gives a receiver that holds its bytes a new buffer for every read, so what it kept stays intact', async () => {
    const chunks = await receiveAll(await sender(payload), true);
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(chunks.length);
  });

  it('reads into one buffer of its size again and again while the receiver holds nothing', async () => {
    const copies: Buffer[] = [];
    const port = await sender(payload);
    const chunks: Buffer[] = [];
    const socket = createUpstreamDialer(null).dial(
      { host: '127.0.0.1', port },
      {
        data: (chunk) => {
          chunks.push(chunk);
          copies.push(Buffer.from(chunk));
        },
        holdsReadBuffer: () => false,
      },
    );
    await new Promise((resolve) => socket.once('end', resolve));
    socket.destroy();
    expect(Buffer.concat(copies).equals(payload)).toBe(true);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(1);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(READ_BUFFER_BYTES);
  });
});
