// The zero-code flush at the application's end: once, at the first of beforeExit, SIGTERM, SIGINT; a signal the
// application does not handle is raised again; a flush that ran out of time does not keep the process alive.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { flushOnExit } from '../../src/exporter/exit-flush.js';

/** A stand-in for `process` that records what would have ended it. */
function fakeProcess() {
  const ended: string[] = [];
  const target = Object.assign(new EventEmitter(), {
    pid: 4242,
    kill: (pid: number, signal: string) => ended.push(`kill ${pid} ${signal}`),
    exit: () => ended.push('exit'),
  });
  return { target, ended };
}

/** A flush that counts its calls and resolves `result`. */
function counting(result: boolean) {
  const flush = async (): Promise<boolean> => {
    flush.calls++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return result;
  };
  flush.calls = 0;
  return flush;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('flushOnExit', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'flushes on %s, then raises it again when the application has no handler of its own',
    async (signal) => {
      const { target, ended } = fakeProcess();
      const flush = counting(true);
      flushOnExit(target, flush);
      target.emit(signal);
      expect(ended).toEqual([]);
      await settle();
      expect(flush.calls).toBe(1);
      expect(ended).toEqual([`kill 4242 ${signal}`]);
      expect(target.eventNames()).toEqual([]);
    },
  );

  it("leaves the end to the application's own signal handler", async () => {
    const { target, ended } = fakeProcess();
    const flush = counting(true);
    flushOnExit(target, flush);
    target.on('SIGTERM', () => ended.push('application handler'));
    target.emit('SIGTERM');
    await settle();
    expect(flush.calls).toBe(1);
    expect(ended).toEqual(['application handler']);
  });

  it('flushes once when the application ends by itself, and lets it end', async () => {
    const { target, ended } = fakeProcess();
    const flush = counting(true);
    flushOnExit(target, flush);
    target.emit('beforeExit');
    target.emit('beforeExit');
    target.emit('SIGTERM');
    await settle();
    expect(flush.calls).toBe(1);
    expect(ended).toEqual([]);
  });

  it('exits when the flush ran out of time, so that a hung export cannot hold the process', async () => {
    const { target, ended } = fakeProcess();
    flushOnExit(target, counting(false));
    target.emit('beforeExit');
    await settle();
    expect(ended).toEqual(['exit']);
  });

  it('removes its listeners when asked, twice safely', () => {
    const { target } = fakeProcess();
    const remove = flushOnExit(target, counting(true));
    expect(target.eventNames().sort()).toEqual(['SIGINT', 'SIGTERM', 'beforeExit']);
    remove();
    remove();
    expect(target.eventNames()).toEqual([]);
  });
});
