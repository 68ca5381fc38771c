import { describe, expect, it } from 'vitest';
import { formatEntry, formatUnknownCode, resolveQuery, run } from '../../src/cli/explain.js';
import { lookupCode } from '../../src/codes/registry.js';
import { memoryIo } from './memory-io.js';

describe('explain (pure functions)', () => {
  it.each([
    ['27', 27],
    ['REBALANCE_IN_PROGRESS', 27],
    ['rebalance_in_progress', 27],
    ['-1', -1],
    ['0', 0],
    ['133', 133],
  ])('resolves %j to the entry for code %i', (query, code) => {
    const target = resolveQuery(query);
    expect(target.kind).toBe('entry');
    if (target.kind === 'entry') expect(target.entry.code).toBe(code);
  });

  it.each([
    ['999', '999'],
    ['134', '134'],
    ['-2', '-2'],
    ['32767', '32767'],
    ['99999', 'other'],
  ])('resolves the unknown code %s to its unknown-code classification', (query, codeLabel) => {
    const target = resolveQuery(query);
    expect(target.kind).toBe('unknown-code');
    if (target.kind === 'unknown-code') {
      expect(target.classification).toMatchObject({
        name: 'UNKNOWN_ERROR_CODE',
        category: 'non_retriable',
        retriable: false,
        codeLabel,
        known: false,
      });
    }
  });

  it('resolves an unknown name to nothing', () => {
    expect(resolveQuery('NOPE')).toEqual({ kind: 'unknown-name', query: 'NOPE' });
  });

  it('prints every field of an entry, the pattern with its codes, and the upstream note', () => {
    const text = formatEntry(lookupCode(27)!);
    for (const line of [
      /^REBALANCE_IN_PROGRESS \(27\)$/m,
      /^ {2}code {9}27$/m,
      /^ {2}category {5}retriable$/m,
      /^ {2}retriable {4}true$/m,
      /^ {2}description {2}Group rebalancing$/m,
      /^ {2}recovery {5}Rejoin group$/m,
      /^ {2}pattern {6}group_rejoin: rejoin the consumer group \(codes 22, 25, 27, 82, 110\)$/m,
      /^ {2}section {6}Consumer Group Errors \(24-28\)$/m,
      /^ {2}since {8}0\.8\.x - 0\.10\.x \(the seed's range; not verified against Kafka's history\)$/m,
      /^ {2}upstream {5}Kafka does not treat REBALANCE_IN_PROGRESS as retriable/m,
      /^ {2}docs {9}docs\/error-codes\.md#REBALANCE_IN_PROGRESS$/m,
    ]) {
      expect(text).toMatch(line);
    }
  });

  it('prints a Kafka-verified since and an agreeing upstream view', () => {
    const text = formatEntry(lookupCode(44)!);
    expect(text).toMatch(/^ {2}since {8}Kafka 0\.10\.2\.0$/m);
    expect(text).toMatch(/^ {2}upstream {5}Apache Kafka's client agrees with the seed's retriable flag\.$/m);
  });

  it('wraps long values under the value column within 100 columns', () => {
    const lines = formatEntry(lookupCode(27)!).split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    const upstream = lines.findIndex((l) => l.startsWith('  upstream'));
    expect(lines[upstream + 1]).toMatch(/^ {15}\S/);
  });

  it('prints the unknown-code classification of 999', () => {
    const target = resolveQuery('999');
    if (target.kind !== 'unknown-code') throw new Error('expected an unknown code');
    const text = formatUnknownCode(target.classification);
    expect(text).toMatch(/^999 is not a code the registry knows \(it lists -1 to 133\)/);
    expect(text).toMatch(/^ {2}error\.type {3}UNKNOWN_ERROR_CODE$/m);
    expect(text).toMatch(/^ {2}category {5}non_retriable$/m);
    expect(text).toMatch(/^ {2}retriable {4}false$/m);
  });

  it.each([
    [[], /missing <code\|name>/],
    [['1', '2'], /expected one <code\|name>/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['NOPE'], /unknown error name "NOPE"/],
  ])('exits 2 on %j with a message on stderr', (args, message) => {
    const m = memoryIo();
    expect(run(args, m.io)).toBe(2);
    expect(m.err).toMatch(message);
    expect(m.out).toBe('');
  });
});
