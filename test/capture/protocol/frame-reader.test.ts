import { describe, expect, it, vi } from 'vitest';
import {
  createFrameReader,
  emptyReassemblyPool,
  pooledReassemblyBytes,
} from '../../../src/capture/protocol/frame-reader.js';
import type { FrameReaderOptions } from '../../../src/capture/protocol/frame-reader.js';
import { int32 } from './response-encoder.js';

const sized = (payload: string): Buffer =>
  Buffer.concat([int32(Buffer.byteLength(payload)), Buffer.from(payload)]);

function collect(options: FrameReaderOptions) {
  const seen: string[] = [];
  const reader = createFrameReader(
    {
      frame: (buf, start, end) => seen.push(`frame:${buf.toString('latin1', start, end)}`),
      head: (buf, start, end, size) => seen.push(`head:${buf.toString('latin1', start, end)}/${size}`),
      desync: () => seen.push('desync'),
    },
    options,
  );
  return { seen, reader };
}

const STREAM = Buffer.concat([sized('alpha'), sized(''), sized('a-much-longer-frame'), sized('z')]);
const WHOLE = ['frame:alpha', 'frame:', 'frame:a-much-longer-frame', 'frame:z'];

describe('createFrameReader', () => {
  it('hands over coalesced frames from one chunk in order', () => {
    const { seen, reader } = collect({ maxFrameBytes: 1024, headBytes: 4 });
    reader.push(STREAM);
    expect(seen).toEqual(WHOLE);
  });

  it.each(Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1))(
    'gives the same frames when the stream is split at byte %i',
    (at) => {
      const { seen, reader } = collect({ maxFrameBytes: 1024, headBytes: 4 });
      reader.push(STREAM.subarray(0, at));
      reader.push(STREAM.subarray(at));
      expect(seen).toEqual(WHOLE);
    },
  );

  it('gives the same frames when the stream arrives one byte at a time', () => {
    const { seen, reader } = collect({ maxFrameBytes: 1024, headBytes: 4 });
    for (let i = 0; i < STREAM.length; i++) reader.push(STREAM.subarray(i, i + 1));
    expect(seen).toEqual(WHOLE);
  });

  it.each([1, 2, 3, 5, 7, 11])(
    'hands over only the head of frames above the limit, in chunks of %i bytes',
    (step) => {
      const { seen, reader } = collect({ maxFrameBytes: 5, headBytes: 4 });
      for (let i = 0; i < STREAM.length; i += step) reader.push(STREAM.subarray(i, i + step));
      expect(seen).toEqual(['frame:alpha', 'frame:', 'head:a-mu/19', 'frame:z']);
    },
  );

  it('reads request heads only when no frame is to be kept whole', () => {
    const { seen, reader } = collect({ maxFrameBytes: -1, headBytes: 8 });
    reader.push(STREAM);
    expect(seen).toEqual(['head:alpha/5', 'head:/0', 'head:a-much-l/19', 'head:z/1']);
  });

  it('stops for good on a negative size', () => {
    const { seen, reader } = collect({ maxFrameBytes: 1024, headBytes: 4 });
    reader.push(Buffer.concat([sized('ok'), int32(-7), sized('never')]));
    reader.push(sized('never'));
    expect(seen).toEqual(['frame:ok', 'desync']);
    expect(reader.alive).toBe(false);
  });

  it('rejects an impossible head size at construction', () => {
    expect(() => collect({ maxFrameBytes: 1, headBytes: 513 })).toThrow('Invalid frame headBytes: 513');
  });

  it('keeps split frames of readers that are mid-frame at the same time apart, and reuses their buffers', () => {
    const payload = (tag: string) => tag.repeat(5000);
    // Other files' readers share the pool: a buffer of the same size class there would be taken and given back.
    emptyReassemblyPool();
    const before = pooledReassemblyBytes();
    const a = collect({ maxFrameBytes: 1 << 20, headBytes: 4 });
    const b = collect({ maxFrameBytes: 1 << 20, headBytes: 4 });
    for (let round = 0; round < 3; round++) {
      const streamA = sized(payload(`a${round}`));
      const streamB = sized(payload(`b${round}`));
      // Both readers hold a half-filled frame before either completes.
      a.reader.push(streamA.subarray(0, 4000));
      b.reader.push(streamB.subarray(0, 3000));
      a.reader.push(streamA.subarray(4000));
      b.reader.push(streamB.subarray(3000));
    }
    expect(a.seen).toEqual([0, 1, 2].map((r) => `frame:${payload(`a${r}`)}`));
    expect(b.seen).toEqual([0, 1, 2].map((r) => `frame:${payload(`b${r}`)}`));
    // Two 10 KB frames at once: two 16 KiB buffers, reused in every later round rather than allocated anew.
    expect(pooledReassemblyBytes()).toBe(before + 2 * 16 * 1024);
  });

  it('gives the reassembly buffer back even when the handler throws', () => {
    // Other files' readers share the pool: a buffer of the same size class there would be taken and given back.
    emptyReassemblyPool();
    const before = pooledReassemblyBytes();
    const reader = createFrameReader(
      {
        frame: () => {
          throw new Error('handler failed');
        },
        head: () => {},
        desync: () => {},
      },
      { maxFrameBytes: 1 << 20, headBytes: 4 },
    );
    const stream = sized('x'.repeat(100_000));
    reader.push(stream.subarray(0, 10));
    expect(() => reader.push(stream.subarray(10))).toThrow('handler failed');
    // The 64 KiB reserved at the prefix went back when the frame outgrew it, the 128 KiB one after the throw.
    expect(pooledReassemblyBytes()).toBe(before + (64 + 128) * 1024);
  });
});

describe('reassembly memory', () => {
  it('grows with the bytes that arrive, not with the size a bare prefix declares', () => {
    const allocated: number[] = [];
    const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
    const spy = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => {
      allocated.push(size);
      return allocUnsafe(size);
    });
    try {
      const size = 48 * 1024 * 1024;
      const frames: Buffer[] = [];
      const reader = createFrameReader(
        {
          frame: (buf, start, end) => frames.push(Buffer.from(buf.subarray(start, end))),
          head: () => {},
          desync: () => {},
        },
        { maxFrameBytes: 64 * 1024 * 1024, headBytes: 4 },
      );
      reader.push(Buffer.concat([int32(size), Buffer.from('abc')]));
      expect(Math.max(...allocated)).toBeLessThanOrEqual(64 * 1024);
      // The rest arrives in 64 KiB reads, as from a socket: the frame comes out whole and intact.
      const payload = Buffer.alloc(size - 3, 7);
      payload.writeUInt32BE(0xdeadbeef, payload.length - 4);
      for (let at = 0; at < payload.length; at += 65_536) reader.push(payload.subarray(at, at + 65_536));
      expect(frames).toHaveLength(1);
      expect(frames[0]!.length).toBe(size);
      expect(frames[0]!.subarray(0, 3).toString()).toBe('abc');
      expect(frames[0]!.readUInt32BE(size - 4)).toBe(0xdeadbeef);
    } finally {
      spy.mockRestore();
    }
  });
});
