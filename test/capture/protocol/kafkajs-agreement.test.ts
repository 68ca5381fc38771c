// Cross-checks the schema table against an independent implementation: kafkajs 2.2.4's own response decoders.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { responseProgram } from '../../../src/capture/protocol/response-program.js';
import { versionIn } from '../../../src/capture/protocol/version-range.js';
import { encodeStruct, sampleWithErrors, specFor } from './response-encoder.js';

const require = createRequire(import.meta.url);
const REQUESTS = join(dirname(require.resolve('kafkajs/package.json')), 'src/protocol/requests');
const apiKeys = require(join(REQUESTS, 'apiKeys.js')) as Record<string, number>;

/** kafkajs names the FindCoordinator API GroupCoordinator; every other folder is its API name in camelCase. */
const apiKeyOf = (folder: string): number =>
  folder === 'findCoordinator' ? 10 : apiKeys[folder[0]!.toUpperCase() + folder.slice(1)]!;

type Decoder = { decode(body: Buffer): Promise<unknown> };

/** Every response decoder kafkajs ships: the APIs and versions it can negotiate. */
const KAFKAJS_VERSIONS = readdirSync(REQUESTS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(REQUESTS, d.name))
      .filter((v) => /^v\d+$/.test(v))
      .map((v) => ({ api: d.name, apiKey: apiKeyOf(d.name), version: Number(v.slice(1)) })),
  )
  .map((c) => ({ ...c, name: `${c.api} v${c.version}` }));

function numbersIn(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value);
  else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value)) numbersIn(v, out);
  }
  return out;
}

describe('the schema table agrees with kafkajs 2.2.4', () => {
  it('covers the 110 response versions kafkajs can negotiate', () => {
    expect(KAFKAJS_VERSIONS).toHaveLength(110);
    expect(KAFKAJS_VERSIONS.filter((c) => responseProgram(c.apiKey, c.version) === undefined)).toEqual([]);
  });

  it.each(KAFKAJS_VERSIONS)('$name: kafkajs reads every error code where the table puts one', async (c) => {
    const spec = specFor(c.apiKey, c.version);
    const { value, errors } = sampleWithErrors(spec, c.version);
    const flexible = versionIn(c.version, spec.flexibleVersions);
    // kafkajs hands its decoders everything after the correlation id, response header tags included.
    const headerTags = flexible && c.apiKey !== 18 ? Buffer.from([0]) : Buffer.alloc(0);
    const body = Buffer.concat([headerTags, encodeStruct(spec.fields, value, c.version, flexible)]);
    const module = require(join(REQUESTS, c.api, `v${c.version}`, 'response.js')) as
      Decoder | ((args: { topics: never[] }) => Decoder);
    const { decode } = typeof module === 'function' ? module({ topics: [] }) : module;
    const decoded = await decode(body);
    const codes = numbersIn(decoded).filter((n) => n >= 1000 && n < 2000);
    expect(codes.sort((a, b) => a - b)).toEqual(errors.map((e) => e.code));
  });
});
