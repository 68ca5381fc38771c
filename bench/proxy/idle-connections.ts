// Opens client connections that each complete one ApiVersions exchange and then stay idle: what a proxy
// holds per connected application client.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

/**
 * An ApiVersions v0 request (https://kafka.apache.org/protocol#The_Messages_ApiVersions): size, then header v1
 * (api_key 18, api_version 0, correlation_id, client_id), and no body.
 */
function apiVersionsRequest(correlationId: number): Buffer {
  const clientId = Buffer.from('bench-idle');
  const frame = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt16BE(18, 4);
  frame.writeInt16BE(0, 6);
  frame.writeInt32BE(correlationId, 8);
  frame.writeInt16BE(clientId.length, 12);
  clientId.copy(frame, 14);
  return frame;
}

/** Connects, sends ApiVersions and resolves once the response's first bytes arrive (the upstream is open). */
function openOne(hostPort: string, correlationId: number): Promise<Socket> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => socket.write(apiVersionsRequest(correlationId)));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ApiVersions response from ${hostPort} in 10 s`));
    }, 10_000);
    socket.once('data', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** `count` idle connections to `hostPort`, opened ten at a time; `close()` ends them all. */
export async function openIdleConnections(hostPort: string, count: number): Promise<{ close(): void }> {
  const sockets: Socket[] = [];
  const close = () => sockets.forEach((socket) => socket.destroy());
  try {
    for (let i = 0; i < count; i += 10) {
      const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) => openOne(hostPort, i + j + 1));
      sockets.push(...(await Promise.all(batch)));
    }
  } catch (error) {
    close();
    throw error;
  }
  return { close };
}
