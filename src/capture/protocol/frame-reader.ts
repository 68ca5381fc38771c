// Splits one direction of a Kafka connection into size-prefixed frames, whatever the chunking of the bytes.
//
// Kafka frames are an int32 size followed by that many bytes (https://kafka.apache.org/protocol#protocol_common).
// A frame that arrives whole inside one chunk is handed over in place, without a copy; one split across
// chunks is copied into a reassembly buffer from a pool shared by all readers, which grows with the bytes that
// arrive rather than with the size the prefix declares. Frames above `maxFrameBytes`
// are never buffered: only their first `headBytes` are handed over and the rest is skipped by its length.

/** The default limit of frames decoded whole; above it, consumers' responses are skipped as `oversized`. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

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
  /** How many leading bytes of a larger frame to hand over. At most 512. */
  readonly headBytes: number;
}

/** Feeds chunks of one direction of a connection. */
export interface FrameReader {
  push(chunk: Buffer): void;
  /** False once the stream desynchronised; pushes are then ignored. */
  readonly alive: boolean;
}

/**
 * Reassembly buffers, shared by every reader of the process and handed back after each frame. A consumer's
 * Fetch responses are megabytes split over 64 KiB reads: allocating a buffer per frame cost 3-8x the copy
 * itself (fresh pages, external-memory GC pressure). Shared rather than per connection, the memory kept is
 * bounded whatever the number of connections.
 */
const POOL_BYTES = 32 << 20;
/** Pooled buffers are sized in powers of two from 2^12: frames of nearly equal size share a size class. */
const MIN_CLASS = 12;
/** Idle buffers by size class (index = log2 of their length). */
const pool: Buffer[][] = Array.from({ length: 32 }, () => []);
let pooledBytes = 0;

/**
 * Most a reassembly reserves beyond the bytes at hand: a bare size prefix (a peer that declares 16 MiB and
 * sends nothing more) costs no more than this. Past it the buffer grows fourfold as bytes arrive, so that a
 * large Fetch response is copied at most a third more often than into a buffer of its full size.
 */
const RESERVE_BYTES = 64 * 1024;
const GROWTH = 4;

/** A buffer of at least `size` bytes: pooled for sizes up to POOL_BYTES, else one of its own. */
function takeBuffer(size: number): Buffer {
  const sizeClass = Math.max(MIN_CLASS, 32 - Math.clz32(size - 1));
  if (2 ** sizeClass > POOL_BYTES) return Buffer.allocUnsafe(size);
  const buffer = pool[sizeClass]!.pop();
  if (buffer === undefined) return Buffer.allocUnsafe(2 ** sizeClass);
  pooledBytes -= buffer.length;
  return buffer;
}

function giveBack(buffer: Buffer): void {
  if (pooledBytes + buffer.length > POOL_BYTES) return; // the garbage collector takes it
  pool[31 - Math.clz32(buffer.length)]!.push(buffer);
  pooledBytes += buffer.length;
}

/** Bytes held by the shared reassembly pool now (for tests). */
export function pooledReassemblyBytes(): number {
  return pooledBytes;
}

/** Empties the shared reassembly pool (for tests: what a test gives back is then all the pool holds). */
export function emptyReassemblyPool(): void {
  for (const sizeClass of pool) sizeClass.length = 0;
  pooledBytes = 0;
}

class SizePrefixedReader implements FrameReader {
  alive = true;
  /** Bytes of the size prefix (or, for a large frame, of its head) collected so far. */
  private readonly scratch: Buffer;
  private scratchLen = 0;
  /** Size of the frame being read, -1 while reading the size prefix. */
  private size = -1;
  /** The frame being reassembled (a small frame split across chunks). */
  private body: Buffer | null = null;
  private filled = 0;
  /** Bytes of a large frame still to skip. */
  private skip = 0;
  /** Collecting the head of a large frame into `scratch` after its prefix. */
  private inHead = false;

  constructor(
    private readonly handler: FrameHandler,
    private readonly maxFrameBytes: number,
    private readonly headBytes: number,
  ) {
    this.scratch = Buffer.alloc(Math.max(4, headBytes));
  }

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
        if (this.filled + n > this.body.length) this.grow(this.filled + n);
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
      this.body = takeBuffer(Math.min(size, Math.max(RESERVE_BYTES, chunk.length - pos)));
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

  /** Moves the frame being reassembled into a buffer of at least `needed` bytes (and at most its size). */
  private grow(needed: number): void {
    const body = this.body!;
    const bigger = takeBuffer(Math.min(this.size, Math.max(needed, body.length * GROWTH)));
    body.copy(bigger, 0, 0, this.filled);
    this.body = bigger;
    giveBack(body);
  }

  private finishBody(): void {
    const body = this.body!;
    const size = this.size;
    this.body = null;
    this.size = -1;
    try {
      this.handler.frame(body, 0, size);
    } finally {
      giveBack(body);
    }
  }
}

/** A reader for one direction of one connection. */
export function createFrameReader(handler: FrameHandler, options: FrameReaderOptions): FrameReader {
  if (!Number.isInteger(options.headBytes) || options.headBytes < 0 || options.headBytes > 512) {
    throw new Error(`Invalid frame headBytes: ${options.headBytes}`);
  }
  return new SizePrefixedReader(handler, options.maxFrameBytes, options.headBytes);
}
