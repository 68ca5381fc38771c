// Test support: encodes Kafka responses from the schema table, independently of the walker's compiled programs.
import type { FieldSpec, ResponseMessageSpec } from '../../../src/capture/protocol/message-spec.js';
import { RESPONSE_SPECS } from '../../../src/capture/protocol/schemas.generated.js';
import { parseVersionRange, versionIn } from '../../../src/capture/protocol/version-range.js';

/** A response value: Kafka field names (PascalCase) to values; missing fields take zero defaults. */
export type Value = { [field: string]: unknown };

export function uvarint(n: number): Buffer {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

const int = (size: number, n: number | bigint): Buffer => {
  const b = Buffer.alloc(size);
  if (size === 1) b.writeInt8(Number(n));
  else if (size === 2) b.writeInt16BE(Number(n));
  else if (size === 4) b.writeInt32BE(Number(n));
  else b.writeBigInt64BE(BigInt(n));
  return b;
};

export const int8 = (n: number): Buffer => int(1, n);
export const int16 = (n: number): Buffer => int(2, n);
export const int32 = (n: number): Buffer => int(4, n);
export const int64 = (n: number | bigint): Buffer => int(8, n);

/** A string: int16 length (or compact uvarint length+1); `null` as -1 (or 0). */
export function str(s: string | null, compact = false): Buffer {
  if (s === null) return compact ? uvarint(0) : int16(-1);
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([compact ? uvarint(bytes.length + 1) : int16(bytes.length), bytes]);
}

/** An array or bytes length prefix: int32 (or compact uvarint length+1); -1 is null. */
export const len = (n: number, compact = false): Buffer => (compact ? uvarint(n + 1) : int32(n));

export function specFor(apiKey: number, version: number): ResponseMessageSpec {
  const spec = RESPONSE_SPECS.find((s) => s.apiKey === apiKey && versionIn(version, s.versions));
  if (!spec) throw new Error(`no spec for ${apiKey} v${version}`);
  return spec;
}

const FIXED: Record<string, number> = {
  bool: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
};

function encodeFixed(type: string, v: unknown): Buffer {
  const size = FIXED[type]!;
  if (type === 'uuid' || type === 'float64' || type === 'uint16' || type === 'uint32' || type === 'bool') {
    const b = Buffer.alloc(size);
    if (typeof v === 'number' && type !== 'uuid') {
      if (type === 'float64') b.writeDoubleBE(v);
      else if (type === 'uint16') b.writeUInt16BE(v);
      else if (type === 'uint32') b.writeUInt32BE(v);
      else b.writeUInt8(v ? 1 : 0);
    }
    return b;
  }
  return int(size, (v as number | bigint | undefined) ?? 0);
}

function encodeField(field: FieldSpec, v: unknown, version: number, flexible: boolean): Buffer {
  const [, type, , options, children] = field;
  const compact = flexible && (options?.flexible === undefined || versionIn(version, options.flexible));
  if (FIXED[type] !== undefined) return encodeFixed(type, v);
  if (type === 'string') return str(v === undefined ? '' : (v as string | null), compact);
  if (type === 'bytes' || type === 'records') {
    if (v === null) return len(-1, compact);
    const bytes = (v as Buffer | undefined) ?? Buffer.alloc(0);
    return Buffer.concat([len(bytes.length, compact), bytes]);
  }
  if (type.startsWith('[]')) {
    if (v === null) return len(-1, compact);
    const items = (v as unknown[] | undefined) ?? [];
    const element = type.slice(2);
    const parts = items.map((item) =>
      children
        ? encodeStruct(children, item as Value, version, flexible)
        : encodeField([element, element, '0+'], item, version, flexible),
    );
    return Buffer.concat([len(items.length, compact), ...parts]);
  }
  const nullable = versionIn(version, options?.nullable);
  const body = v === null ? null : encodeStruct(children!, (v as Value | undefined) ?? {}, version, flexible);
  if (!nullable) return body ?? Buffer.alloc(0);
  return body === null ? int8(-1) : Buffer.concat([int8(1), body]);
}

/** Encodes a struct; in flexible versions tagged fields are written when the value has them. */
export function encodeStruct(
  fields: readonly FieldSpec[],
  value: Value,
  version: number,
  flexible: boolean,
  extraTags: [number, Buffer][] = [],
): Buffer {
  const parts: Buffer[] = [];
  const tags: [number, Buffer][] = [...extraTags];
  for (const field of fields) {
    if (!versionIn(version, field[2])) continue;
    const options = field[3];
    if (flexible && versionIn(version, options?.tagged)) {
      if (field[0] in value)
        tags.push([options!.tag!, encodeField(field, value[field[0]], version, flexible)]);
      continue;
    }
    parts.push(encodeField(field, value[field[0]], version, flexible));
  }
  if (flexible) {
    tags.sort((a, b) => a[0] - b[0]);
    parts.push(uvarint(tags.length));
    for (const [tag, data] of tags) parts.push(uvarint(tag), uvarint(data.length), data);
  }
  return Buffer.concat(parts);
}

/** A whole response frame: size prefix, header (v1 with an empty tag section when flexible), body. */
export function encodeResponseFrame(
  apiKey: number,
  version: number,
  correlationId: number,
  value: Value,
): Buffer {
  const spec = specFor(apiKey, version);
  const flexible = versionIn(version, spec.flexibleVersions);
  const header =
    flexible && apiKey !== 18 ? Buffer.concat([int32(correlationId), uvarint(0)]) : int32(correlationId);
  const body = encodeStruct(spec.fields, value, version, flexible);
  return Buffer.concat([int32(header.length + body.length), header, body]);
}

/** A request frame as kafkajs writes it: size, api_key, api_version, correlation_id, client_id, body. */
export function requestFrame(
  apiKey: number,
  version: number,
  correlationId: number,
  body = Buffer.alloc(3),
): Buffer {
  const rest = Buffer.concat([int16(apiKey), int16(version), int32(correlationId), str('test-client'), body]);
  return Buffer.concat([int32(rest.length), rest]);
}

export interface ExpectedError {
  code: number;
  topic: string | undefined;
  message: string | undefined;
}

/**
 * A value for `spec` at `version` with two elements in every array, a distinct non-zero code in every error
 * field (tagged ones included: tagged fields without a code are left out), a name in every topic field and a message in every error message field;
 * and the errors a walker must report for it (in no particular order).
 */
export function sampleWithErrors(
  spec: ResponseMessageSpec,
  version: number,
  firstCode = 1000,
): { value: Value; errors: ExpectedError[] } {
  let next = firstCode;
  const errors: ExpectedError[] = [];
  const build = (fields: readonly FieldSpec[], topic: string | undefined, path: string): Value => {
    const value: Value = {};
    const present = fields.filter((f) => versionIn(version, f[2]));
    const topicField = present.find((f) => f[1] === 'string' && f[3]?.entity === 'topicName');
    const ownTopic = topicField ? `topic-${path}` : topic;
    if (topicField) value[topicField[0]] = ownTopic;
    for (const field of present) {
      const [name, type, , , children] = field;
      if (type === 'int16' && name.endsWith('ErrorCode')) {
        const code = next++;
        value[name] = code;
        const messageField = present.find((f) => f[0] === `${name.slice(0, -4)}Message`);
        const message = messageField ? `message ${code}` : undefined;
        if (messageField) value[messageField[0]] = message;
        errors.push({ code, topic: ownTopic, message });
      } else if (children && type.startsWith('[]')) {
        value[name] = [0, 1].map((i) => build(children, ownTopic, `${path}.${name}${i}`));
      } else if (children) {
        value[name] = build(children, ownTopic, `${path}.${name}`);
      }
    }
    return value;
  };
  const value = build(spec.fields, undefined, 'r');
  return { value, errors };
}

/** Every (spec, version) of the table. */
export function everyVersion(): { spec: ResponseMessageSpec; version: number }[] {
  const out: { spec: ResponseMessageSpec; version: number }[] = [];
  for (const spec of RESPONSE_SPECS) {
    const r = parseVersionRange(spec.versions);
    for (let v = r.min; v <= r.max; v++) out.push({ spec, version: v });
  }
  return out;
}
