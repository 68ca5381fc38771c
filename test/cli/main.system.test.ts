import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, runBin } from './run-bin.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('kafka-error-exporter (built bin)', () => {
  it('starts with a node shebang so that npm can link it as the bin', () => {
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it.each([['--help'], ['-h']])('%s lists the commands, options and exit codes', (flag) => {
    const { status, stdout } = runBin(flag);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: kafka-error-exporter <command> \[options\]/);
    expect(stdout).toMatch(/^ {2}codes {4}Print the error-code registry/m);
    expect(stdout).toMatch(/^ {2}explain {2}Explain one error code/m);
    expect(stdout).toContain('-v, --version');
    expect(stdout).toMatch(
      /Exit codes:\n {2}0 {2}success\n {2}1 {2}runtime failure\n {2}2 {2}usage or configuration error/,
    );
  });

  it.each([['--version'], ['-v']])('%s prints the package version', (flag) => {
    const { status, stdout } = runBin(flag);
    expect(status).toBe(0);
    expect(stdout).toBe(`${pkg.version}\n`);
  });

  it('exits 2 with the help on stderr when no command is given', () => {
    const { status, stdout, stderr } = runBin();
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: kafka-error-exporter/);
  });

  it.each([['nope'], ['toString'], ['__proto__']])('exits 2 on the unknown command %s', (name) => {
    const { status, stderr } = runBin(name);
    expect(status).toBe(2);
    expect(stderr).toContain(`unknown command "${name}"`);
  });
});
