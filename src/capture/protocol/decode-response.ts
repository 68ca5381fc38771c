// Walks a Kafka response with its compiled program: reports every non-zero error code and the throttle time.
//
// Reads with offsets over the caller's Buffer, skips record payloads by their length, and allocates nothing
// unless an error must be labelled with its topic or message. Never throws on bad input: it returns why.
// Layouts: https://kafka.apache.org/protocol#protocol_types, response headers v0/v1 (KIP-482).
import {
  OP_ARRAY_BYTES,
  OP_ARRAY_FIXED,
  OP_ARRAY_STRING,
  OP_ARRAY_STRUCT,
  OP_BYTES,
  OP_ERROR,
  OP_FIXED,
  OP_MESSAGE,
  OP_STRING,
  OP_STRUCT,
  OP_THROTTLE,
  OP_TOPIC,
  MAX_DEPTH,
  isKnownApiKey,
  responseProgram,
} from './response-program.js';
import type { Op, ResponseProgram, StructProgram } from './response-program.js';

/** What the walker reports to. Calls happen synchronously during `decodeResponse`. */
export interface ResponseVisitor {
  /** Decode the enclosing topic name for each error (costs a string per error). */
  readonly wantsTopic: boolean;
  /** Whether the broker's error message is wanted for `code` (costs a string per error). */
  wantsMessage(code: number): boolean;
  /** One non-zero error code, at any level of the response. */
  error(code: number, topic: string | undefined, message: string | undefined): void;
  /** The response's throttle_time_ms, when above zero. */
  throttle(throttleTimeMs: number): void;
}

/** `ok`, or why the frame could not be decoded (the values of `UndecodableReason` the decoder can give). */
export type DecodeOutcome = 'ok' | 'unknown_api_key' | 'unsupported_api_version' | 'truncated' | 'malformed';

const TRUNCATED = -1;
const MALFORMED = -2;
const API_VERSIONS_KEY = 18;
const UNSUPPORTED_VERSION = 35;
/** Per depth: error code ×2, message start/end ×2, topic start/end. */
const SLOT_WIDTH = 8;

/** Scratch state of one walk; pooled so that a visitor decoding re-entrantly gets its own. */
class Walk {
  readonly slots = new Int32Array(MAX_DEPTH * SLOT_WIDTH);
  visitor: ResponseVisitor | null = null;
  /** The value of the last varint read. */
  value = 0;
}

let idleWalk: Walk | null = new Walk();

/** Reads an unsigned varint (at most 5 bytes) into `w.value`; returns the next position or a failure. */
function readUvarint(w: Walk, buf: Buffer, pos: number, end: number): number {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) return TRUNCATED;
    const b = buf[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      if (value > 0x7fffffff) return MALFORMED;
      w.value = value;
      return pos;
    }
  }
  return MALFORMED;
}

/** Reads a length: compact (varint N+1, 0 = null → -1) or int16 / int32. Leaves it in `w.value`. */
function readLength(w: Walk, buf: Buffer, pos: number, end: number, compact: boolean, wide: boolean): number {
  if (compact) {
    pos = readUvarint(w, buf, pos, end);
    if (pos >= 0) w.value -= 1;
    return pos;
  }
  const width = wide ? 4 : 2;
  if (pos + width > end) return TRUNCATED;
  const n = wide ? buf.readInt32BE(pos) : buf.readInt16BE(pos);
  if (n < -1) return MALFORMED;
  w.value = n;
  return pos + width;
}

/** Skips a length-prefixed string or bytes value. */
function skipSized(w: Walk, buf: Buffer, pos: number, end: number, compact: boolean, wide: boolean): number {
  pos = readLength(w, buf, pos, end, compact, wide);
  if (pos < 0 || w.value < 0) return pos;
  return pos + w.value > end ? TRUNCATED : pos + w.value;
}

function runOp(w: Walk, o: Op, depth: number, buf: Buffer, pos: number, end: number): number {
  const base = depth * SLOT_WIDTH;
  switch (o.kind) {
    case OP_FIXED:
      return pos + o.size > end ? TRUNCATED : pos + o.size;
    case OP_ERROR:
      if (pos + 2 > end) return TRUNCATED;
      w.slots[base + o.slot] = buf.readInt16BE(pos);
      return pos + 2;
    case OP_THROTTLE: {
      if (pos + 4 > end) return TRUNCATED;
      const ms = buf.readInt32BE(pos);
      if (ms > 0) w.visitor!.throttle(ms);
      return pos + 4;
    }
    case OP_STRING:
      return skipSized(w, buf, pos, end, o.compact, false);
    case OP_TOPIC:
    case OP_MESSAGE: {
      const next = skipSized(w, buf, pos, end, o.compact, false);
      if (next < 0) return next;
      const at = o.kind === OP_TOPIC ? base + 6 : base + 2 + o.slot * 2;
      // A null string keeps start = -1 so that no label is produced.
      w.slots[at] = w.value < 0 ? -1 : next - w.value;
      w.slots[at + 1] = next;
      return next;
    }
    case OP_BYTES:
      return skipSized(w, buf, pos, end, o.compact, true);
    case OP_STRUCT:
      if (o.nullable) {
        if (pos + 1 > end) return TRUNCATED;
        if (buf.readInt8(pos++) < 0) return pos;
      }
      return walkStruct(w, o.child!, depth + 1, buf, pos, end);
    default:
      return runArray(w, o, depth, buf, pos, end);
  }
}

function runArray(w: Walk, o: Op, depth: number, buf: Buffer, pos: number, end: number): number {
  pos = readLength(w, buf, pos, end, o.compact, true);
  if (pos < 0) return pos;
  const count = w.value;
  if (count <= 0) return pos;
  switch (o.kind) {
    case OP_ARRAY_FIXED: {
      const next = pos + count * o.size;
      return next > end ? TRUNCATED : next;
    }
    case OP_ARRAY_STRUCT: {
      const child = o.child!;
      // Every element takes at least minSize bytes (at least one: counts beyond the frame are rejected here).
      if (count * Math.max(child.minSize, 1) > end - pos) return TRUNCATED;
      for (let i = 0; i < count && pos >= 0; i++) pos = walkStruct(w, child, depth + 1, buf, pos, end);
      return pos;
    }
    case OP_ARRAY_STRING:
    case OP_ARRAY_BYTES: {
      if (count > end - pos) return TRUNCATED;
      const wide = o.kind === OP_ARRAY_BYTES;
      for (let i = 0; i < count && pos >= 0; i++) pos = skipSized(w, buf, pos, end, o.compact, wide);
      return pos;
    }
    default:
      return MALFORMED;
  }
}

/** Skips (or, for known tags, walks) a tagged-field section. */
function runTagged(
  w: Walk,
  p: StructProgram | null,
  depth: number,
  buf: Buffer,
  pos: number,
  end: number,
): number {
  pos = readUvarint(w, buf, pos, end);
  if (pos < 0) return pos;
  for (let n = w.value; n > 0; n--) {
    pos = readUvarint(w, buf, pos, end);
    if (pos < 0) return pos;
    const tag = w.value;
    pos = readUvarint(w, buf, pos, end);
    if (pos < 0) return pos;
    const fieldEnd = pos + w.value;
    if (fieldEnd > end) return TRUNCATED;
    const o = p?.tagged[tag];
    if (o !== undefined) {
      const next = runOp(w, o, depth, buf, pos, fieldEnd);
      if (next < 0) return next;
      if (next !== fieldEnd) return MALFORMED;
    }
    pos = fieldEnd;
  }
  return pos;
}

function walkStruct(w: Walk, p: StructProgram, depth: number, buf: Buffer, pos: number, end: number): number {
  const s = w.slots;
  const base = depth * SLOT_WIDTH;
  // Errors are reported when the struct ends: its topic name and message may follow the error code.
  s[base] = 0;
  s[base + 1] = 0;
  s[base + 2] = -1;
  s[base + 4] = -1;
  if (depth === 0) {
    s[base + 6] = -1;
  } else {
    s[base + 6] = s[base - SLOT_WIDTH + 6]!;
    s[base + 7] = s[base - SLOT_WIDTH + 7]!;
  }
  const ops = p.ops;
  for (let i = 0; i < ops.length; i++) {
    pos = runOp(w, ops[i]!, depth, buf, pos, end);
    if (pos < 0) return pos;
  }
  if (p.flexible) {
    pos = runTagged(w, p, depth, buf, pos, end);
    if (pos < 0) return pos;
  }
  if (s[base] !== 0) report(w, buf, base, 0);
  if (s[base + 1] !== 0) report(w, buf, base, 1);
  return pos;
}

function report(w: Walk, buf: Buffer, base: number, slot: number): void {
  const s = w.slots;
  const v = w.visitor!;
  const code = s[base + slot]!;
  const topicStart = s[base + 6]!;
  const topic = v.wantsTopic && topicStart >= 0 ? buf.toString('utf8', topicStart, s[base + 7]) : undefined;
  const messageStart = s[base + 2 + slot * 2]!;
  const message =
    messageStart >= 0 && v.wantsMessage(code)
      ? buf.toString('utf8', messageStart, s[base + 3 + slot * 2])
      : undefined;
  v.error(code, topic, message);
}

/**
 * Decodes a response body with a compiled program. `start` is the first byte after the correlation id (the
 * response header's tagged fields, if any, are skipped here); `end` the end of the frame.
 */
export function decodeResponseBody(
  program: ResponseProgram,
  buf: Buffer,
  start: number,
  end: number,
  visitor: ResponseVisitor,
): DecodeOutcome {
  const w = idleWalk ?? new Walk();
  idleWalk = null;
  w.visitor = visitor;
  try {
    let pos = program.headerVersion === 1 ? runTagged(w, null, 0, buf, start, end) : start;
    if (pos >= 0) pos = walkStruct(w, program.body, 0, buf, pos, end);
    if (pos === TRUNCATED) return 'truncated';
    return pos === end ? 'ok' : 'malformed';
  } finally {
    w.visitor = null;
    idleWalk = w;
  }
}

/**
 * Decodes one response frame: `frame[start..end)` holds the response header (correlation id first) and body,
 * without the 4-byte size prefix. Reports to `visitor`; returns `ok` or why the frame was not understood.
 * Errors are reported as each struct ends, so a frame found malformed further on may already have reported
 * the errors before the fault (a broker never sends such frames; the outcome says it happened).
 * ApiVersions answers UNSUPPORTED_VERSION in its v0 layout whatever version was asked (KIP-511), so that
 * case is decoded as v0.
 */
export function decodeResponse(
  apiKey: number,
  apiVersion: number,
  frame: Buffer,
  visitor: ResponseVisitor,
  start = 0,
  end = frame.length,
): DecodeOutcome {
  let program = responseProgram(apiKey, apiVersion);
  if (program === undefined) return isKnownApiKey(apiKey) ? 'unsupported_api_version' : 'unknown_api_key';
  if (end - start < 4) return 'truncated';
  if (
    apiKey === API_VERSIONS_KEY &&
    end - start >= 6 &&
    frame.readInt16BE(start + 4) === UNSUPPORTED_VERSION &&
    apiVersion !== 0
  ) {
    program = responseProgram(API_VERSIONS_KEY, 0)!;
  }
  return decodeResponseBody(program, frame, start + 4, end, visitor);
}
