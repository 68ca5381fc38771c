// Compiles the generated response schemas, once at module load, into per-version programs the walker runs.
//
// A program is the list of wire fields of one struct at one version, each reduced to what the walker must do
// with it: skip N bytes, skip a length-prefixed value, read an error code, a throttle time, a topic name or an
// error message, or descend into a child struct. Fixed-size runs and fixed-size structs without an error code
// become single skips; tagged fields without an error code are skipped by their size.
// Encoding rules: https://kafka.apache.org/protocol#protocol_types and KIP-482 (flexible versions).
import type { FieldSpec, ResponseMessageSpec } from './message-spec.js';
import { RESPONSE_SPECS } from './schemas.generated.js';
import { parseVersionRange, versionIn } from './version-range.js';

/** Op kinds. Plain numbers so that the walker's switch stays monomorphic. */
export const OP_FIXED = 0;
export const OP_ERROR = 1;
export const OP_THROTTLE = 2;
export const OP_STRING = 3;
export const OP_TOPIC = 4;
export const OP_MESSAGE = 5;
export const OP_BYTES = 6;
export const OP_ARRAY_FIXED = 7;
export const OP_ARRAY_STRING = 8;
export const OP_ARRAY_BYTES = 9;
export const OP_ARRAY_STRUCT = 10;
export const OP_STRUCT = 11;

/** Error codes per struct the walker keeps (Kafka has at most two: ShareFetch's ErrorCode and AcknowledgeErrorCode). */
export const MAX_ERROR_SLOTS = 2;
/** Struct nesting the walker supports; Kafka's deepest response nests five levels. */
export const MAX_DEPTH = 12;

export interface Op {
  readonly kind: number;
  /** OP_FIXED: bytes to skip. OP_ARRAY_FIXED: bytes per element. */
  readonly size: number;
  /** OP_ERROR / OP_MESSAGE: which error slot of the struct. */
  readonly slot: number;
  /** Lengths are unsigned varints (flexible versions) rather than int16 / int32. */
  readonly compact: boolean;
  /** OP_STRUCT: an int8 presence marker precedes the struct. OP_STRING: -1 length allowed. */
  readonly nullable: boolean;
  readonly child: StructProgram | null;
}

export interface StructProgram {
  readonly ops: readonly Op[];
  /** The struct ends with a tagged-field section (flexible versions). */
  readonly flexible: boolean;
  /** Tagged fields worth decoding, by tag; every other tag is skipped by its size. */
  readonly tagged: readonly (Op | undefined)[];
  /** Smallest encoded size, to reject absurd array counts before looping. */
  readonly minSize: number;
}

export interface ResponseProgram {
  readonly apiKey: number;
  readonly version: number;
  /** Response header version: 1 (with tagged fields) for flexible versions, except ApiVersions, always 0. */
  readonly headerVersion: 0 | 1;
  readonly body: StructProgram;
}

const FIXED_SIZES: Readonly<Record<string, number>> = {
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

const API_VERSIONS_KEY = 18;

function op(kind: number, extra: Partial<Op> = {}): Op {
  return { kind, size: 0, slot: 0, compact: false, nullable: false, child: null, ...extra };
}

const isErrorCode = (f: FieldSpec): boolean => f[1] === 'int16' && f[0].endsWith('ErrorCode');

/** Whether a field's subtree holds an error code at `version` (the only reason to decode rather than skip). */
function hasErrors(field: FieldSpec, version: number): boolean {
  if (!versionIn(version, field[2])) return false;
  if (isErrorCode(field)) return true;
  return (field[4] ?? []).some((f) => hasErrors(f, version));
}

function compileStruct(
  fields: readonly FieldSpec[],
  version: number,
  flexible: boolean,
  depth: number,
  where: string,
): StructProgram {
  if (depth >= MAX_DEPTH) throw new Error(`${where}: nesting deeper than ${MAX_DEPTH}`);
  const present = fields.filter((f) => versionIn(version, f[2]));
  const errorFields = present.filter(isErrorCode);
  if (errorFields.length > MAX_ERROR_SLOTS)
    throw new Error(`${where}: more than ${MAX_ERROR_SLOTS} error codes`);
  const errorSlot = new Map(errorFields.map((f, i) => [f[0].slice(0, -'Code'.length), i]));
  const subtreeHasErrors = present.some((f) => hasErrors(f, version));
  let topicSeen = false;

  const compileField = (field: FieldSpec): Op => {
    const [name, type, , options, children] = field;
    const compact = flexible && (options?.flexible === undefined || versionIn(version, options.flexible));
    const nullable = versionIn(version, options?.nullable);
    const path = `${where}.${name}`;
    if (isErrorCode(field)) return op(OP_ERROR, { slot: errorSlot.get(name.slice(0, -'Code'.length))! });
    if (type === 'int32' && name === 'ThrottleTimeMs' && depth === 0) return op(OP_THROTTLE);
    const fixed = FIXED_SIZES[type];
    if (fixed !== undefined) return op(OP_FIXED, { size: fixed });
    if (type === 'string') {
      if (options?.entity === 'topicName' && subtreeHasErrors && !topicSeen) {
        topicSeen = true;
        return op(OP_TOPIC, { compact, nullable });
      }
      const slot = name.endsWith('ErrorMessage')
        ? errorSlot.get(name.slice(0, -'Message'.length))
        : undefined;
      if (slot !== undefined) return op(OP_MESSAGE, { compact, nullable, slot });
      return op(OP_STRING, { compact, nullable });
    }
    if (type === 'bytes' || type === 'records') return op(OP_BYTES, { compact });
    if (type.startsWith('[]')) {
      const element = type.slice(2);
      const size = FIXED_SIZES[element];
      if (size !== undefined) return op(OP_ARRAY_FIXED, { compact, size });
      if (element === 'string') return op(OP_ARRAY_STRING, { compact });
      if (element === 'bytes') return op(OP_ARRAY_BYTES, { compact });
      if (!children) throw new Error(`${path}: unsupported type ${type}`);
      const child = compileStruct(children, version, flexible, depth + 1, path);
      const childSize = fixedSize(child);
      if (childSize >= 0 && !children.some((f) => hasErrors(f, version))) {
        return op(OP_ARRAY_FIXED, { compact, size: childSize });
      }
      return op(OP_ARRAY_STRUCT, { compact, child });
    }
    if (!children) throw new Error(`${path}: unsupported type ${type}`);
    const child = compileStruct(children, version, flexible, depth + 1, path);
    const childSize = fixedSize(child);
    if (!nullable && childSize >= 0 && !children.some((f) => hasErrors(f, version))) {
      return op(OP_FIXED, { size: childSize });
    }
    return op(OP_STRUCT, { nullable, child });
  };

  const ops: Op[] = [];
  const tagged: (Op | undefined)[] = [];
  for (const field of present) {
    const options = field[3];
    if (flexible && versionIn(version, options?.tagged)) {
      // A tagged field is skipped by its size unless it carries an error code.
      if (hasErrors(field, version)) tagged[options!.tag!] = compileField(field);
    } else {
      const next = compileField(field);
      const last = ops[ops.length - 1];
      // Consecutive fixed-size fields become one skip.
      if (next.kind === OP_FIXED && last?.kind === OP_FIXED)
        ops[ops.length - 1] = op(OP_FIXED, { size: last.size + next.size });
      else ops.push(next);
    }
  }
  return { ops, flexible, tagged, minSize: ops.reduce((n, o) => n + minOpSize(o), flexible ? 1 : 0) };
}

/** The encoded size of a struct that only holds fixed-size fields, or -1. */
function fixedSize(program: StructProgram): number {
  if (program.flexible) return -1;
  let size = 0;
  for (const o of program.ops) {
    if (o.kind !== OP_FIXED) return -1;
    size += o.size;
  }
  return size;
}

function minOpSize(o: Op): number {
  switch (o.kind) {
    case OP_FIXED:
      return o.size;
    case OP_ERROR:
      return 2;
    case OP_THROTTLE:
      return 4;
    case OP_STRUCT:
      return o.nullable ? 1 : o.child!.minSize;
    case OP_STRING:
    case OP_TOPIC:
    case OP_MESSAGE:
      return o.compact ? 1 : 2;
    default:
      return o.compact ? 1 : 4;
  }
}

/** Compiles one message at one version. Throws on a schema the walker cannot run (a generator bug). */
export function compileResponseProgram(spec: ResponseMessageSpec, version: number): ResponseProgram {
  const flexible = versionIn(version, spec.flexibleVersions);
  return {
    apiKey: spec.apiKey,
    version,
    headerVersion: flexible && spec.apiKey !== API_VERSIONS_KEY ? 1 : 0,
    body: compileStruct(spec.fields, version, flexible, 0, `${spec.name} v${version}`),
  };
}

function compileAll(specs: readonly ResponseMessageSpec[]): (ResponseProgram | undefined)[][] {
  const table: (ResponseProgram | undefined)[][] = [];
  for (const spec of specs) {
    const range = parseVersionRange(spec.versions);
    const byVersion = (table[spec.apiKey] ??= []);
    for (let v = range.min; v <= range.max; v++) byVersion[v] = compileResponseProgram(spec, v);
  }
  return table;
}

const PROGRAMS = compileAll(RESPONSE_SPECS);

/** The program for an API key and version, or `undefined` when the schema table has none. O(1). */
export function responseProgram(apiKey: number, version: number): ResponseProgram | undefined {
  return PROGRAMS[apiKey]?.[version];
}

/** Whether the schema table knows the API key at any version. */
export function isKnownApiKey(apiKey: number): boolean {
  return PROGRAMS[apiKey] !== undefined;
}

/** Every (API key, version) the table covers, for tests and docs. */
export function supportedVersions(): { apiKey: number; versions: number[] }[] {
  const out: { apiKey: number; versions: number[] }[] = [];
  PROGRAMS.forEach((byVersion, apiKey) => {
    const versions: number[] = [];
    byVersion.forEach((p, v) => p && versions.push(v));
    out.push({ apiKey, versions });
  });
  return out;
}
