import { describe, expect, it } from 'vitest';
import { formatCodesJson, formatCodesTable, parseCategory, run, selectEntries } from '../../src/cli/codes.js';
import { ERROR_CODES } from '../../src/codes/registry.js';
import { JSON_FIELDS } from './codes-fixtures.js';
import { memoryIo } from './memory-io.js';

describe('codes (pure functions)', () => {
  it.each([
    ['fatal', 8],
    ['success', 1],
    ['retriable', 33],
    ['non_retriable', 93],
  ] as const)('selects the %s codes (%i)', (category, count) => {
    expect(selectEntries(ERROR_CODES, category)).toHaveLength(count);
  });

  it('selects every code without a category', () => {
    expect(selectEntries(ERROR_CODES, undefined)).toHaveLength(135);
  });

  it.each(['fatal', 'success', 'retriable', 'non_retriable'])('parses category %s', (c) => {
    expect(parseCategory(c)).toBe(c);
  });

  it.each(['Fatal', 'nope', ''])('rejects category %j', (c) => {
    expect(parseCategory(c)).toBeUndefined();
  });

  it('aligns the table: every column starts at the same offset on every line', () => {
    const lines = formatCodesTable(ERROR_CODES).trimEnd().split('\n');
    expect(lines).toHaveLength(136);
    const header = lines[0]!;
    for (const title of ['NAME', 'CATEGORY', 'RETRIABLE', 'RECOVERY']) {
      const column = header.indexOf(title);
      for (const line of lines.slice(1)) expect(line[column - 1]).toBe(' ');
      for (const line of lines.slice(1)) expect(line[column]).not.toBe(' ');
    }
  });

  it('fits the table in a 120-column terminal', () => {
    const widest = Math.max(
      ...formatCodesTable(ERROR_CODES)
        .split('\n')
        .map((l) => l.length),
    );
    expect(widest).toBeLessThanOrEqual(120);
  });

  it('prints one table line per code with its name, category, retriable flag and recovery', () => {
    const line = formatCodesTable(ERROR_CODES)
      .split('\n')
      .find((l) => / 27 {2}/.test(l))!;
    expect(line.trim().split(/ {2,}/)).toEqual([
      '27',
      'REBALANCE_IN_PROGRESS',
      'retriable',
      'true',
      'Rejoin group',
    ]);
  });

  it('prints JSON with exactly the contract fields', () => {
    const parsed = JSON.parse(formatCodesJson(ERROR_CODES)) as Record<string, unknown>[];
    for (const entry of parsed) expect(Object.keys(entry)).toEqual(JSON_FIELDS);
  });

  it.each([
    [
      ['--category', 'nope'],
      /invalid category "nope": expected one of success, retriable, non_retriable, fatal/,
    ],
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /unexpected argument "extra"/],
    [['--category'], /argument missing/],
  ])('exits 2 on %j with a message', (args, message) => {
    const m = memoryIo();
    expect(run(args, m.io)).toBe(2);
    expect(m.err).toMatch(message);
    expect(m.out).toBe('');
  });
});
