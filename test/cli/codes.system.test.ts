import { describe, expect, it } from 'vitest';
import { formatCodesJson, formatCodesTable, parseCategory, run, selectEntries } from '../../src/cli/codes.js';
import { ERROR_CODES } from '../../src/codes/registry.js';
import { runBin } from './run-bin.js';

const FATAL = [45, 47, 49, 52, 59, 90, 105, 129];
const JSON_FIELDS = [
  'code',
  'name',
  'category',
  'retriable',
  'description',
  'recovery',
  'section',
  'since',
  'pattern',
  'upstream',
];

function memoryIo(): { out: string; err: string; io: { out(t: string): void; err(t: string): void } } {
  const result = {
    out: '',
    err: '',
    io: {
      out: (text: string) => void (result.out += text),
      err: (text: string) => void (result.err += text),
    },
  };
  return result;
}

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

describe('codes (built bin)', () => {
  it('codes --json prints all 135 entries with the contract fields', () => {
    const { status, stdout } = runBin('codes', '--json');
    expect(status).toBe(0);
    const parsed = JSON.parse(stdout) as Record<string, unknown>[];
    expect(parsed).toHaveLength(135);
    for (const entry of parsed) expect(Object.keys(entry)).toEqual(JSON_FIELDS);
    expect(parsed.find((e) => e['code'] === 27)).toMatchObject({
      name: 'REBALANCE_IN_PROGRESS',
      category: 'retriable',
      retriable: true,
      pattern: 'group_rejoin',
      upstream: expect.stringMatching(/Apache Kafka 4\.1/),
    });
    expect(parsed.find((e) => e['code'] === 3)).toMatchObject({ upstream: null, since: '0.8.x - 0.10.x' });
  });

  it('codes --category fatal prints exactly the 8 fatal codes', () => {
    const { status, stdout } = runBin('codes', '--category', 'fatal');
    expect(status).toBe(0);
    const codes = stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.trim().split(/\s+/)[0]));
    expect(codes).toEqual(FATAL);
  });

  it('codes --category fatal --json prints the fatal entries as JSON', () => {
    const parsed = JSON.parse(runBin('codes', '--category', 'fatal', '--json').stdout) as { code: number }[];
    expect(parsed.map((e) => e.code)).toEqual(FATAL);
  });

  it('codes prints the table of all 135 codes', () => {
    const { status, stdout } = runBin('codes');
    expect(status).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(136);
    expect(stdout).toMatch(/^CODE {2}NAME +CATEGORY +RETRIABLE {2}RECOVERY\n/);
  });

  it('codes --category with an invalid value exits 2 listing the valid ones', () => {
    const { status, stdout, stderr } = runBin('codes', '--category', 'sometimes');
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('expected one of success, retriable, non_retriable, fatal');
  });

  it('codes --help documents the options and exit codes', () => {
    const { status, stdout } = runBin('codes', '--help');
    expect(status).toBe(0);
    expect(stdout).toContain('--category <category>');
    expect(stdout).toContain('--json');
    expect(stdout).toMatch(/Exit codes:\n {2}0 {2}success\n {2}1 {2}runtime failure\n {2}2 {2}usage/);
  });
});
