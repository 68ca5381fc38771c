import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  OUTPUT_FILE,
  buildSpecs,
  renderSchemas,
  stripJsonComments,
} from '../../../scripts/generate-protocol-schemas.js';
import { parseVersionRange, versionIn } from '../../../src/capture/protocol/version-range.js';

describe('schemas.generated.ts', () => {
  it('is what the generator writes from scripts/data/kafka-messages', async () => {
    expect(readFileSync(OUTPUT_FILE, 'utf8')).toBe(await renderSchemas());
  }, 30_000);

  it('takes each API version from the newest Kafka release that defines it, without overlaps', () => {
    const specs = buildSpecs();
    const produce = specs.filter((s) => s.apiKey === 0).map((s) => [s.source, s.versions]);
    expect(produce).toEqual([
      ['3.9.1', '0-2'],
      ['4.1.1', '3-13'],
    ]);
    const seen = new Set<string>();
    for (const spec of specs) {
      const r = parseVersionRange(spec.versions);
      for (let v = r.min; v <= r.max; v++) {
        expect(seen.has(`${spec.apiKey}:${v}`)).toBe(false);
        seen.add(`${spec.apiKey}:${v}`);
      }
    }
  });
});

describe('stripJsonComments', () => {
  it('removes line comments but keeps // inside strings', () => {
    const text =
      '{\n  // a comment\n  "about": "see http://kafka.apache.org", // trailing\n  "x": "\\"//\\""\n}';
    expect(JSON.parse(stripJsonComments(text))).toEqual({ about: 'see http://kafka.apache.org', x: '"//"' });
  });
});

describe('version ranges', () => {
  it.each([
    ['0+', 0, true],
    ['3+', 2, false],
    ['1-3', 3, true],
    ['1-3', 4, false],
    ['5', 5, true],
    ['none', 0, false],
  ])('%s contains %i: %s', (range, version, expected) => {
    expect(versionIn(version, range)).toBe(expected);
  });

  it('rejects anything else', () => {
    expect(() => parseVersionRange('1..3')).toThrow('Invalid Kafka version range: 1..3');
  });
});
