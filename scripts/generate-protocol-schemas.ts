// Generates src/capture/protocol/schemas.generated.ts and src/codes/api-names.generated.ts from Kafka's response
// definitions in scripts/data/kafka-messages.
//
// Usage: `npx tsx scripts/generate-protocol-schemas.ts` (writes the file) or `--check` (exits 1 when stale).
// Each (API key, version) comes from the newest Kafka release folder that defines it; see the folder's README.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import type { FieldOptions, FieldSpec, ResponseMessageSpec } from '../src/capture/protocol/message-spec.js';
import { MAX_VERSION, parseVersionRange } from '../src/capture/protocol/version-range.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DATA_DIR = join(ROOT, 'scripts/data/kafka-messages');
export const OUTPUT_FILE = join(ROOT, 'src/capture/protocol/schemas.generated.ts');
export const API_NAMES_FILE = join(ROOT, 'src/codes/api-names.generated.ts');

/** A field as Kafka's JSON spells it (only the keys the walker needs are read). */
interface JsonField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  flexibleVersions?: string;
  entityType?: string;
  fields?: JsonField[];
}

interface JsonMessage {
  apiKey: number;
  type: string;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: JsonField[];
  commonStructs?: { name: string; versions: string; fields: JsonField[] }[];
}

/** Removes `//` comments outside strings: Kafka's definitions are JSON with line comments. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

function compareReleases(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'uuid',
  'string',
  'bytes',
  'records',
]);

function toFieldSpec(field: JsonField, common: Map<string, JsonField[]>, message: string): FieldSpec {
  const options: { -readonly [K in keyof FieldOptions]: FieldOptions[K] } = {};
  if (field.nullableVersions !== undefined) options.nullable = field.nullableVersions;
  if (field.taggedVersions !== undefined) options.tagged = field.taggedVersions;
  if (field.tag !== undefined) options.tag = field.tag;
  if (field.flexibleVersions !== undefined) options.flexible = field.flexibleVersions;
  if (field.entityType === 'topicName') options.entity = 'topicName';
  const opts = Object.keys(options).length > 0 ? options : null;
  const element = field.type.startsWith('[]') ? field.type.slice(2) : field.type;
  if (PRIMITIVES.has(element)) {
    if (field.fields) throw new Error(`${message}.${field.name}: primitive type ${field.type} with fields`);
    return opts ? [field.name, field.type, field.versions, opts] : [field.name, field.type, field.versions];
  }
  const children = field.fields ?? common.get(element);
  if (!children) throw new Error(`${message}.${field.name}: unknown type ${field.type}`);
  return [field.name, field.type, field.versions, opts, children.map((f) => toFieldSpec(f, common, message))];
}

/** Reads every release folder and returns one entry per (API key, contiguous version range), newest first. */
export function buildSpecs(dataDir: string = DATA_DIR): ResponseMessageSpec[] {
  const releases = readdirSync(dataDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => compareReleases(b, a));
  const covered = new Map<number, Set<number>>();
  const specs: ResponseMessageSpec[] = [];
  for (const release of releases) {
    const files = readdirSync(join(dataDir, release))
      .filter((f) => f.endsWith('Response.json'))
      .sort();
    for (const file of files) {
      const message = JSON.parse(
        stripJsonComments(readFileSync(join(dataDir, release, file), 'utf8')),
      ) as JsonMessage;
      if (message.type !== 'response') continue;
      const valid = parseVersionRange(message.validVersions);
      const seen = covered.get(message.apiKey) ?? new Set<number>();
      covered.set(message.apiKey, seen);
      const fresh: number[] = [];
      for (let v = valid.min; v <= valid.max; v++) if (!seen.has(v)) fresh.push(v);
      if (fresh.length === 0) continue;
      const min = fresh[0]!;
      const max = fresh[fresh.length - 1]!;
      if (max - min + 1 !== fresh.length)
        throw new Error(`${release}/${file}: versions ${fresh.join(',')} not contiguous`);
      for (const v of fresh) seen.add(v);
      const common = new Map((message.commonStructs ?? []).map((s) => [s.name, s.fields]));
      specs.push({
        apiKey: message.apiKey,
        name: message.name,
        source: release,
        versions: min === max ? String(min) : `${min}-${max === MAX_VERSION ? '' : max}`,
        flexibleVersions: message.flexibleVersions,
        fields: message.fields.map((f) => toFieldSpec(f, common, message.name)),
      });
    }
  }
  return specs.sort(
    (a, b) => a.apiKey - b.apiKey || parseVersionRange(a.versions).min - parseVersionRange(b.versions).min,
  );
}

/** The generated module's text, formatted with the project's Prettier settings. */
export async function renderSchemas(dataDir: string = DATA_DIR): Promise<string> {
  const specs = buildSpecs(dataDir);
  const body = specs
    .map((s) => `  // ${s.name} v${s.versions}, Kafka ${s.source}\n  ${JSON.stringify(s)},`)
    .join('\n');
  const text = [
    '// Kafka response schemas for every API and version: generated by scripts/generate-protocol-schemas.ts from',
    "// Kafka's own message definitions in scripts/data/kafka-messages. Generated, do not edit.",
    "import type { ResponseMessageSpec } from './message-spec.js';",
    '',
    '/** One entry per API key and version range, sorted by API key. */',
    'export const RESPONSE_SPECS: readonly ResponseMessageSpec[] = [',
    body,
    '];',
    '',
  ].join('\n');
  const config = (await prettier.resolveConfig(OUTPUT_FILE)) ?? {};
  return prettier.format(text, { ...config, filepath: OUTPUT_FILE });
}

/** The API names module: the name of each API key's response message without `Response`, index = key. */
export async function renderApiNames(dataDir: string = DATA_DIR): Promise<string> {
  const names: string[] = [];
  for (const spec of buildSpecs(dataDir)) names[spec.apiKey] = spec.name.replace(/Response$/, '');
  const missing = [...names.keys()].filter((key) => names[key] === undefined);
  if (missing.length > 0) throw new Error(`no response definition for API keys ${missing.join(', ')}`);
  const text = [
    '// Kafka protocol API names by API key (the `kafka_api_name` label): generated by',
    "// scripts/generate-protocol-schemas.ts from Kafka's own message definitions in scripts/data/kafka-messages.",
    '// Generated, do not edit.',
    '',
    '/** API name by API key; index = key. */',
    'export const API_NAMES: readonly string[] = [',
    ...names.map((name, key) => `  '${name}', // ${key}`),
    '];',
    '',
  ].join('\n');
  const config = (await prettier.resolveConfig(API_NAMES_FILE)) ?? {};
  return prettier.format(text, { ...config, filepath: API_NAMES_FILE });
}

async function main(): Promise<void> {
  const files: [string, string][] = [
    [OUTPUT_FILE, await renderSchemas()],
    [API_NAMES_FILE, await renderApiNames()],
  ];
  for (const [file, text] of files) {
    if (process.argv.includes('--check')) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        // A missing file is stale too.
      }
      if (current !== text) {
        console.error(`${file} is stale: run npm run generate:protocol-schemas`);
        process.exitCode = 1;
      }
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
