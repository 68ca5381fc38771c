import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_NAMES_FILE, renderApiNames } from '../../scripts/generate-protocol-schemas.js';
import { API_NAMES, apiName, UNKNOWN_API_NAME } from '../../src/codes/api-names.js';

describe('apiName', () => {
  it.each([
    [0, 'Produce'],
    [1, 'Fetch'],
    [3, 'Metadata'],
    [11, 'JoinGroup'],
    [18, 'ApiVersions'],
    [36, 'SaslAuthenticate'],
    [42, 'DeleteGroups'],
    [92, 'DeleteShareGroupOffsets'],
  ])('names API key %i %s', (key, name) => {
    expect(apiName(key)).toBe(name);
  });

  it('folds keys outside the table into one bounded value', () => {
    for (const key of [-1, API_NAMES.length, 9999]) expect(apiName(key)).toBe(UNKNOWN_API_NAME);
  });

  it('has unique names', () => {
    expect(new Set(API_NAMES).size).toBe(API_NAMES.length);
  });

  it("is current with Kafka's message definitions (run npm run generate:protocol-schemas)", async () => {
    expect(readFileSync(API_NAMES_FILE, 'utf8')).toBe(await renderApiNames());
  });
});
