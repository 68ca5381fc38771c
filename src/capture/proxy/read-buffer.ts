// The read buffer both sides of a proxied connection reuse, through Node's `onread` socket option.

/**
 * Bytes of the read buffer a connection reuses from read to read. Reads of up to 256 KiB rather than Node's
 * 64 KiB, into memory that is not garbage after each read: a consumer's Fetch responses cost a quarter of the
 * reads, callbacks and writes. Pages are touched only as far as reads fill them.
 */
export const READ_BUFFER_BYTES = 256 * 1024;

/** Receives what a socket reads. */
export interface ReadReceiver {
  /** Bytes read: a view of the read buffer, which the next read may overwrite. */
  data(chunk: Buffer): void;
  /** Whether bytes handed to `data` are still referenced (a write not yet flushed): the next read then gets a new buffer. */
  holdsReadBuffer(): boolean;
}

/** Node's `onread` option for a socket whose reads go to `receiver`. */
export function reusedReadBuffer(receiver: ReadReceiver): {
  buffer: () => Uint8Array;
  callback: (bytes: number, read: Uint8Array) => boolean;
} {
  let buffer: Buffer | null = null;
  return {
    // Node asks for the buffer of each next read after the last one was handed over: the same one unless a
    // write still points into it.
    buffer: () => {
      if (buffer === null || receiver.holdsReadBuffer()) buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
      return buffer;
    },
    callback: (bytes, read) => {
      receiver.data(Buffer.from(read.buffer, read.byteOffset, bytes));
      return true;
    },
  };
}
