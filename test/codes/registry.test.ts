import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  lookupCode,
  lookupName,
  MAX_CODE,
  MIN_CODE,
  REGISTRY_BY_INDEX,
  toErrorCodeJson,
} from '../../src/codes/registry.js';
import type { ErrorCategory } from '../../src/codes/types.js';

/** The seed rows, parsed here independently of scripts/registry/parse-seed.ts (a regex over the flat cells). */
function seedRows(): Map<number, { name: string; mark: string; description: string; recovery: string }> {
  const text = readFileSync(
    new URL('../../scripts/data/kafka-protocol-error-codes.txt', import.meta.url),
    'utf8',
  );
  const rows = new Map<number, { name: string; mark: string; description: string; recovery: string }>();
  const row = /^\| (-?\d+) \|\n([A-Z0-9_]+) \|\n(✅|❌|N\/A) \|\n([^\n]+) \|\n(?:([^|\n][^\n]*) \|\n)?/gm;
  for (const m of text.matchAll(row)) {
    rows.set(Number(m[1]), { name: m[2]!, mark: m[3]!, description: m[4]!, recovery: m[5] ?? '' });
  }
  return rows;
}

const SEED = seedRows();
const FATAL = [45, 47, 49, 52, 59, 90, 105, 129];
const METADATA_REFRESH_BACKOFF = [3, 5, 6, 74, 75, 100, 103];
const GROUP_REJOIN = [22, 25, 27, 82, 110];

function expectedCategory(code: number): ErrorCategory {
  if (code === 0) return 'success';
  if (SEED.get(code)!.mark === '✅') return 'retriable';
  return FATAL.includes(code) ? 'fatal' : 'non_retriable';
}

describe('registry', () => {
  it('holds the 135 seed codes from -1 to 133, ordered by code', () => {
    expect(SEED.size).toBe(135);
    expect(ERROR_CODES).toHaveLength(135);
    expect(ERROR_CODES.map((e) => e.code)).toEqual([-1, ...Array.from({ length: 134 }, (_, i) => i)]);
  });

  it.each([...SEED.entries()])('code %i has the seed name, flag and texts', (code, seed) => {
    const entry = lookupCode(code)!;
    expect(entry.name).toBe(seed.name);
    expect(entry.retriable).toBe(seed.mark === '✅');
    expect(entry.description).toBe(seed.description);
    expect(entry.recovery).toBe(seed.recovery);
  });

  it('has unique names', () => {
    expect(new Set(ERROR_CODES.map((e) => e.name)).size).toBe(ERROR_CODES.length);
  });

  it.each(ERROR_CODES.map((e) => [e.code, e.name]))('categorises %i %s by the contract rule', (code) => {
    expect(lookupCode(code)!.category).toBe(expectedCategory(code));
  });

  it.each([
    ['fatal', FATAL],
    ['success', [0]],
  ] as const)('the %s codes are exactly %j', (category, codes) => {
    expect(ERROR_CODES.filter((e) => e.category === category).map((e) => e.code)).toEqual(codes);
  });

  it.each([
    ['metadata_refresh_backoff', METADATA_REFRESH_BACKOFF],
    ['group_rejoin', GROUP_REJOIN],
  ] as const)('pattern %s applies exactly to %j', (pattern, codes) => {
    expect(ERROR_CODES.filter((e) => e.pattern === pattern).map((e) => e.code)).toEqual(codes);
  });

  it('gives every other code no pattern', () => {
    const patterned = new Set([...METADATA_REFRESH_BACKOFF, ...GROUP_REJOIN]);
    for (const e of ERROR_CODES) if (!patterned.has(e.code)) expect(e.pattern).toBeNull();
  });

  it.each([
    [-1, 'Unknown and Generic Errors (-1 to 2)'],
    [0, 'Success (0)'],
    [3, 'Topic and Partition Errors (3-6)'],
    [16, 'Coordinator Errors (16-19)'],
    [133, 'Share Group Errors (121-133)'],
  ])('code %i sits in the seed section %s', (code, section) => {
    expect(lookupCode(code)!.section).toBe(section);
  });

  it.each([
    [-1, '0.8.x - 0.10.x', 'seed'],
    [35, '0.8.x - 0.10.x', 'seed'],
    [36, '0.10.1.0', 'kafka'],
    [41, '0.10.1.0', 'kafka'],
    [43, '0.10.1.0', 'kafka'],
    [44, '0.10.2.0', 'kafka'],
    [45, '0.11.0.0', 'kafka'],
    [56, '1.0.0', 'kafka'],
    [72, '2.0.0', 'kafka'],
    [89, '2.7.0', 'kafka'],
    [107, '3.3.0', 'kafka'],
    [120, '3.8.0', 'kafka'],
    [129, '4.0.0', 'kafka'],
    [130, '4.1.0', 'kafka'],
    [133, '4.1.0', 'kafka'],
  ])('code %i arrived in %s (source %s)', (code, since, source) => {
    expect(lookupCode(code)).toMatchObject({ since, sinceSource: source });
  });

  it.each([
    [2, true],
    [8, false],
    [27, false],
    [72, true],
    [84, true],
    [108, false],
    [113, false],
  ])("records Kafka's differing view of code %i (upstream retriable %s) with a note", (code, upstream) => {
    const entry = lookupCode(code)!;
    expect(entry.upstreamRetriable).toBe(upstream);
    expect(entry.retriable).toBe(!upstream);
    expect(entry.upstreamNote).toMatch(/Apache Kafka 4\.1/);
  });

  it('keeps no upstream view where Kafka agrees with the seed (e.g. 51 CONCURRENT_TRANSACTIONS)', () => {
    expect(lookupCode(51)).toMatchObject({ upstreamRetriable: null, upstreamNote: null });
    expect(ERROR_CODES.filter((e) => e.upstreamRetriable !== null)).toHaveLength(7);
  });

  it('looks codes up by array index: code - MIN_CODE', () => {
    expect(MIN_CODE).toBe(-1);
    expect(MAX_CODE).toBe(133);
    expect(Array.isArray(REGISTRY_BY_INDEX)).toBe(true);
    expect(REGISTRY_BY_INDEX).toHaveLength(MAX_CODE - MIN_CODE + 1);
    REGISTRY_BY_INDEX.forEach((entry, index) => {
      expect(entry!.code).toBe(index + MIN_CODE);
      expect(lookupCode(index + MIN_CODE)).toBe(entry);
    });
  });

  it.each([-2, 134, 999, 32767, 1.5, Number.NaN])('knows no code %d', (code) => {
    expect(lookupCode(code)).toBeUndefined();
  });

  it.each([
    ['REBALANCE_IN_PROGRESS', 27],
    ['rebalance_in_progress', 27],
    [' None ', 0],
    ['UNKNOWN_SERVER_ERROR', -1],
  ])('looks up name %j case-insensitively', (name, code) => {
    expect(lookupName(name)?.code).toBe(code);
  });

  it('knows no name NOPE', () => {
    expect(lookupName('NOPE')).toBeUndefined();
  });

  it('freezes entries', () => {
    expect(Object.isFrozen(REGISTRY_BY_INDEX)).toBe(true);
    expect(Object.isFrozen(lookupCode(27))).toBe(true);
  });

  it('publishes the contract JSON fields, with the upstream note', () => {
    expect(toErrorCodeJson(lookupCode(27)!)).toEqual({
      code: 27,
      name: 'REBALANCE_IN_PROGRESS',
      category: 'retriable',
      retriable: true,
      description: 'Group rebalancing',
      recovery: 'Rejoin group',
      section: 'Consumer Group Errors (24-28)',
      since: '0.8.x - 0.10.x',
      pattern: 'group_rejoin',
      upstream: lookupCode(27)!.upstreamNote,
    });
  });
});
