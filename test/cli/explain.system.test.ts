// `explain` as a user runs it: the built bin in a child process (the pure functions: explain.test.ts).
import { describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

describe('explain (built bin)', () => {
  it.each([['27'], ['REBALANCE_IN_PROGRESS'], ['Rebalance_In_Progress']])(
    'explain %s prints REBALANCE_IN_PROGRESS with its recovery, pattern and upstream note',
    (query) => {
      const { status, stdout, stderr } = runBin('explain', query);
      expect(status).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toMatch(/^REBALANCE_IN_PROGRESS \(27\)\n/);
      expect(stdout).toMatch(/^ {2}recovery {5}Rejoin group$/m);
      expect(stdout).toMatch(/^ {2}pattern {6}group_rejoin/m);
      expect(stdout).toMatch(/^ {2}upstream {5}Kafka does not treat REBALANCE_IN_PROGRESS as retriable/m);
    },
  );

  it('explain 999 prints the unknown-code classification and exits 0', () => {
    const { status, stdout, stderr } = runBin('explain', '999');
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^ {2}error\.type {3}UNKNOWN_ERROR_CODE$/m);
    expect(stdout).toMatch(/^ {2}category {5}non_retriable$/m);
  });

  it('explain -1 reads the negative code as a code, not an option', () => {
    const { status, stdout } = runBin('explain', '-1');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^UNKNOWN_SERVER_ERROR \(-1\)\n/);
  });

  it('explain NOPE exits 2 with a clear message', () => {
    const { status, stdout, stderr } = runBin('explain', 'NOPE');
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('unknown error name "NOPE"');
  });

  it('explain --help documents the argument and exit codes', () => {
    const { status, stdout } = runBin('explain', '--help');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: kafka-error-exporter explain <code\|name>/);
    expect(stdout).toContain('Exit codes:');
  });
});
