// The demo's command line: defaults, each option, and a usage message (never a throw) for bad input.
import { describe, expect, it } from 'vitest';
import { DEMO_DEFAULTS, DEMO_HELP, parseDemoArgs } from '../../demo/demo-options.js';

describe('parseDemoArgs', () => {
  it.each([
    { argv: [], options: DEMO_DEFAULTS },
    { argv: ['--port', '0'], options: { ...DEMO_DEFAULTS, port: 0 } },
    { argv: ['--port', '19464'], options: { ...DEMO_DEFAULTS, port: 19464 } },
    { argv: ['--duration', '60'], options: { ...DEMO_DEFAULTS, durationSeconds: 60 } },
    { argv: ['--interval', '2'], options: { ...DEMO_DEFAULTS, intervalSeconds: 2 } },
    { argv: ['--prometheus'], options: { ...DEMO_DEFAULTS, prometheus: true } },
    { argv: ['--proxy'], options: { ...DEMO_DEFAULTS, proxy: true } },
    {
      argv: ['--port=0', '--duration=30', '--prometheus'],
      options: { ...DEMO_DEFAULTS, port: 0, durationSeconds: 30, prometheus: true },
    },
  ])('$argv gives the options', ({ argv, options }) => {
    expect(parseDemoArgs(argv)).toEqual({ kind: 'options', options });
  });

  it.each([['--help'], ['-h'], ['--port', '0', '--help']])('%s asks for help', (...argv) => {
    expect(parseDemoArgs(argv)).toEqual({ kind: 'help' });
  });

  it.each([
    { argv: ['--port', '70000'], names: '--port' },
    { argv: ['--port', '9464.5'], names: '--port' },
    { argv: ['--port', 'http'], names: '--port' },
    { argv: ['--duration', '0'], names: '--duration' },
    { argv: ['--duration', ''], names: '--duration' },
    { argv: ['--interval', '-1'], names: '--interval' },
    { argv: ['--bogus'], names: '--bogus' },
    { argv: ['--port'], names: '--port' },
    { argv: ['extra'], names: 'extra' },
  ])('$argv is an error naming $names', ({ argv, names }) => {
    const parsed = parseDemoArgs(argv);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' && parsed.message).toContain(names);
  });

  it('the help names every option', () => {
    for (const flag of ['--port', '--duration', '--interval', '--prometheus', '--help']) {
      expect(DEMO_HELP).toContain(flag);
    }
  });
});
