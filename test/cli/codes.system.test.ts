// `codes` as a user runs it: the built bin in a child process (the pure functions: codes.test.ts).
import { describe, expect, it } from 'vitest';
import { FATAL, JSON_FIELDS } from './codes-fixtures.js';
import { runBin } from './run-bin.js';

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
