// Zero-code mode's last OTLP push: flushed when the application ends by itself or on SIGTERM or SIGINT. The
// application decides when the process ends; this only delays that end, within the flush's own bound.

/** The part of `process` this needs (tests pass an EventEmitter). */
export interface ExitEvents {
  readonly pid: number;
  on(event: 'beforeExit' | NodeJS.Signals, listener: () => void): unknown;
  off(event: 'beforeExit' | NodeJS.Signals, listener: () => void): unknown;
  listenerCount(event: NodeJS.Signals): number;
  kill(pid: number, signal: NodeJS.Signals): unknown;
  exit(): unknown;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Runs `flush` once, at the first of: the event loop running empty (`beforeExit`), SIGTERM, SIGINT. Then:
 * - after `beforeExit`, if the flush did not finish (it resolved `false`: its bound ran out), exits with the
 *   application's `process.exitCode`, so that a hung export cannot keep the process alive;
 * - after a signal, raises it again when the application has no listener of its own for it, so that the process
 *   ends as it would have without us; with a listener, the application's handler decides.
 * A second signal during the flush meets no listener of ours: it does what it would have done without us.
 * @param flush resolves whether everything was flushed; must not reject, and must bound itself.
 * @returns how to remove the listeners (safe to call twice).
 */
export function flushOnExit(target: ExitEvents, flush: () => Promise<boolean>): () => void {
  const remove = (): void => {
    target.off('beforeExit', onBeforeExit);
    for (const [signal, listener] of onSignal) target.off(signal, listener);
  };
  const onBeforeExit = (): void => {
    remove();
    void flush().then((flushed) => {
      if (!flushed) target.exit();
    });
  };
  const onSignal = new Map(
    SIGNALS.map((signal) => [
      signal,
      (): void => {
        remove();
        void flush().then(() => {
          if (target.listenerCount(signal) === 0) target.kill(target.pid, signal);
        });
      },
    ]),
  );
  target.on('beforeExit', onBeforeExit);
  for (const [signal, listener] of onSignal) target.on(signal, listener);
  return remove;
}
