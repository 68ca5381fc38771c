// Kafka's primitive types, read from and written to byte buffers, for the few responses the proxy rewrites.
//
// Layouts: https://kafka.apache.org/protocol#protocol_types; compact (varint) lengths and tagged fields: KIP-482.
// The reader throws `WireError` on bytes that do not fit the layout; the rewriters turn that into "cannot
// rewrite", never into a crash.

/** The bytes do not fit the expected layout. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

/** A cursor over `buf[pos..end)`. */
export class WireReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.end) throw new WireError('truncated');
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** An unsigned varint of at most 5 bytes (a 31-bit value). */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (value > 0x7fffffff) throw new WireError('varint out of range');
        return value;
      }
    }
    throw new WireError('varint too long');
  }

  /** An array length: compact (varint N+1, 0 = null) or int32. -1 stands for null. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1) throw new WireError('negative array length');
    return n;
  }

  /** A (nullable) string: compact (varint N+1) or int16 length. */
  string(compact: boolean): string | null {
    const n = compact ? this.uvarint() - 1 : this.int16();
    if (n < 0) {
      if (n !== -1) throw new WireError('negative string length');
      return null;
    }
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Skips a tagged-field section: a count, then (tag, size, bytes) per field. */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }
}

/** Appends Kafka primitives to a growing list of buffers. */
export class WireWriter {
  private readonly parts: Buffer[] = [];
  private size = 0;

  /** Appends `buf[start..end)` as it is (no copy until `toBuffer`). */
  raw(buf: Buffer, start = 0, end = buf.length): void {
    if (end <= start) return;
    this.parts.push(buf.subarray(start, end));
    this.size += end - start;
  }

  int16(v: number): void {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    this.raw(b);
  }

  int32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.raw(b);
  }

  uvarint(v: number): void {
    const bytes: number[] = [];
    let rest = v;
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    bytes.push(rest);
    this.raw(Buffer.from(bytes));
  }

  arrayLength(n: number, compact: boolean): void {
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
  }

  string(s: string, compact: boolean): void {
    const bytes = Buffer.from(s, 'utf8');
    if (compact) this.uvarint(bytes.length + 1);
    else this.int16(bytes.length);
    this.raw(bytes);
  }

  get length(): number {
    return this.size;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }

  /** The bytes written as one Kafka frame: an int32 size, then the bytes. */
  toFrame(): Buffer {
    const out = Buffer.allocUnsafe(this.size + 4);
    out.writeInt32BE(this.size, 0);
    let at = 4;
    for (const part of this.parts) at += part.copy(out, at);
    return out;
  }
}
