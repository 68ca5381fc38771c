// Splits one direction of a Kafka connection into size-prefixed frames, whatever the chunking of the bytes.
//
// Kafka frames are an int32 size followed by that many bytes (https://kafka.apache.org/protocol#protocol_common).
// A frame that arrives whole inside one chunk is handed over in place, without a copy; one split across
// chunks is copied into a buffer of the frame's size. Frames above `maxFrameBytes` are never buffered:
// only their first `headBytes` are handed over and the rest is skipped by its length.

/** What a frame reader hands frames to. Buffers are only valid during the call. */
export interface FrameHandler {
  /** A whole frame: `buf[start..end)` is the frame without its size prefix. */
  frame(buf: Buffer, start: number, end: number): void;
  /** A frame above the size limit: its first `min(size, headBytes)` bytes; the rest is skipped. */
  head(buf: Buffer, start: number, end: number, size: number): void;
  /** The stream cannot be framed (a negative size): the reader stops for good. */
  desync(): void;
}

export interface FrameReaderOptions {
  /** Frames up to this size are handed over whole; -1 hands over only heads. */
  readonly maxFrameBytes: number;
  /** How many leading bytes of a larger frame to hand over. At most 64. */
  readonly headBytes: number;
}

/** Feeds chunks of one direction of a connection. */
export interface FrameReader {
  push(chunk: Buffer): void;
  /** False once the stream desynchronised; pushes are then ignored. */
  readonly alive: boolean;
}

/** Buffers for split frames up to this size are kept for reuse; larger ones are dropped after each frame. */
const SPARE_LIMIT = 1 << 20;

class SizePrefixedReader implements FrameReader {
  alive = true;
  /** Bytes of the size prefix (or, for a large frame, of its head) collected so far. */
  private readonly scratch = Buffer.alloc(68);
  private scratchLen = 0;
  /** Size of the frame being read, -1 while reading the size prefix. */
  private size = -1;
  /** The frame being reassembled (a small frame split across chunks). */
  private body: Buffer | null = null;
  private filled = 0;
  private spare: Buffer | null = null;
  /** Bytes of a large frame still to skip. */
  private skip = 0;
  /** Collecting the head of a large frame into `scratch` after its prefix. */
  private inHead = false;

  constructor(
    private readonly handler: FrameHandler,
    private readonly maxFrameBytes: number,
    private readonly headBytes: number,
  ) {}

  push(chunk: Buffer): void {
    const len = chunk.length;
    let pos = 0;
    while (pos < len && this.alive) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, len - pos);
        this.skip -= n;
        pos += n;
      } else if (this.body !== null) {
        const n = Math.min(this.size - this.filled, len - pos);
        chunk.copy(this.body, this.filled, pos, pos + n);
        this.filled += n;
        pos += n;
        if (this.filled === this.size) this.finishBody();
      } else if (this.inHead) {
        pos = this.collectHead(chunk, pos);
      } else if (this.scratchLen === 0 && len - pos >= 4) {
        const size = chunk.readInt32BE(pos);
        pos = this.startFrame(chunk, pos + 4, size);
      } else {
        const n = Math.min(4 - this.scratchLen, len - pos);
        chunk.copy(this.scratch, this.scratchLen, pos, pos + n);
        this.scratchLen += n;
        pos += n;
        if (this.scratchLen === 4) {
          this.scratchLen = 0;
          pos = this.startFrame(chunk, pos, this.scratch.readInt32BE(0));
        }
      }
    }
  }

  /** Begins a frame whose size prefix was just read; `pos` is its first byte in `chunk`. */
  private startFrame(chunk: Buffer, pos: number, size: number): number {
    if (size < 0) {
      this.alive = false;
      this.handler.desync();
      return chunk.length;
    }
    this.size = size;
    if (size <= this.maxFrameBytes) {
      if (chunk.length - pos >= size) {
        this.size = -1;
        this.handler.frame(chunk, pos, pos + size);
        return pos + size;
      }
      this.body = this.spare !== null && this.spare.length >= size ? this.spare : Buffer.allocUnsafe(size);
      this.spare = null;
      this.filled = 0;
      return pos;
    }
    const wanted = Math.min(size, this.headBytes);
    if (chunk.length - pos >= wanted) {
      this.size = -1;
      this.skip = size - wanted;
      this.handler.head(chunk, pos, pos + wanted, size);
      return pos + wanted;
    }
    this.inHead = true;
    this.scratchLen = 0;
    return pos;
  }

  private collectHead(chunk: Buffer, pos: number): number {
    const wanted = Math.min(this.size, this.headBytes);
    const n = Math.min(wanted - this.scratchLen, chunk.length - pos);
    chunk.copy(this.scratch, this.scratchLen, pos, pos + n);
    this.scratchLen += n;
    pos += n;
    if (this.scratchLen === wanted) {
      const size = this.size;
      this.inHead = false;
      this.scratchLen = 0;
      this.size = -1;
      this.skip = size - wanted;
      this.handler.head(this.scratch, 0, wanted, size);
    }
    return pos;
  }

  private finishBody(): void {
    const body = this.body!;
    const size = this.size;
    this.body = null;
    this.size = -1;
    if (body.length <= SPARE_LIMIT) this.spare = body;
    this.handler.frame(body, 0, size);
  }
}

/** A reader for one direction of one connection. */
export function createFrameReader(handler: FrameHandler, options: FrameReaderOptions): FrameReader {
  if (!Number.isInteger(options.headBytes) || options.headBytes < 0 || options.headBytes > 64) {
    throw new Error(`Invalid frame headBytes: ${options.headBytes}`);
  }
  return new SizePrefixedReader(handler, options.maxFrameBytes, options.headBytes);
}
