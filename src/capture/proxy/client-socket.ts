// Reads an accepted client socket into a buffer reused from read to read, as the upstream dialer does.
//
// Node gives every read of a socket it accepted a fresh 64 KiB buffer, shrunk by a copy to the bytes read: at a
// producer's rate that is garbage, copies and collector work on every read. Node offers `onread` (a reused
// buffer) only to sockets it constructs, so the accepted socket's handle is moved into one constructed with it.
// That uses Node's `_handle`, which is not public: where it is missing the accepted socket is used as it is.
import { Socket } from 'node:net';
import { reusedReadBuffer } from './read-buffer.js';
import type { ReadReceiver } from './read-buffer.js';

interface WithHandle {
  _handle: { useUserBuffer?: unknown; readStop?: () => number; reading?: boolean } | null;
}

/**
 * The accepted `socket`, or a socket that owns its connection now and hands what it reads to `receiver` (views
 * of a reused buffer). Returns null when the handle cannot be moved: the caller reads `socket`'s events.
 */
export function adoptClientSocket(socket: Socket, receiver: ReadReceiver): Socket | null {
  const accepted = socket as unknown as WithHandle;
  const handle = accepted._handle;
  if (handle === null || typeof handle.useUserBuffer !== 'function') return null;
  // The accepted socket started reading; the new one starts again, with its own buffer. The accepted socket
  // forgets the handle first, so that destroying it (for the server's connection count) closes nothing.
  handle.readStop?.();
  handle.reading = false;
  accepted._handle = null;
  socket.destroy();
  return new Socket({
    handle,
    readable: true,
    writable: true,
    onread: reusedReadBuffer(receiver),
  } as ConstructorParameters<typeof Socket>[0]);
}
