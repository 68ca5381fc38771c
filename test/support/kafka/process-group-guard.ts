// Makes sure a detached child process group dies with this Node process: exit, signals, even SIGKILL.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

// Guarded process group id → the folder to remove once it is dead (its data and log).
const guarded = new Map<number, string | undefined>();
let handlersInstalled = false;

/** True while a process with this pid exists (zombies included; Node reaps its own children). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal to a whole process group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left to signal.
  }
}

function killAllNow(): void {
  for (const [pgid, dir] of guarded) {
    signalGroup(pgid, 'SIGKILL');
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
  guarded.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllNow();
  process.removeListener(signal, onSignal);
  // With no other listener Node would have exited on this signal: restore that by re-raising it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL needs no waiting.
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

// A shell loop in its own group: when this Node process disappears (even by SIGKILL, where no handler
// runs) it stops the guarded group; it ends by itself once the group is gone.
function spawnWatchdog(pgid: number, graceSeconds: number, dir: string | undefined): number | undefined {
  // The folder is passed as an argument ($1), never pasted into the script.
  const script =
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pgid} 2>/dev/null; do sleep 1; done; ` +
    // Node still alive (the child ended by itself): Node handles it and may still read its log.
    `kill -0 ${process.pid} 2>/dev/null && exit 0; ` +
    `if kill -0 ${pgid} 2>/dev/null; then kill -TERM -${pgid} 2>/dev/null; i=0; ` +
    `while [ $i -lt ${graceSeconds} ] && kill -0 ${pgid} 2>/dev/null; do sleep 1; i=$((i+1)); done; ` +
    `kill -KILL -${pgid} 2>/dev/null; sleep 1; fi; ` +
    `if [ -n "$1" ]; then rm -rf -- "$1"; fi; exit 0`;
  const watchdog = spawn('sh', ['-c', script, 'kafka-watchdog', dir ?? ''], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.on('error', () => {});
  watchdog.unref();
  return watchdog.pid;
}

/**
 * Registers a detached child (the leader of its own process group) so that it is killed, and `dir`
 * removed, when this process exits or receives SIGINT/SIGTERM/SIGHUP, and by a watchdog if this process
 * is SIGKILLed. Returns a release function to call once the child has been stopped normally.
 */
export function guardProcessGroup(pgid: number, dir?: string, graceSeconds = 10): () => void {
  installHandlers();
  guarded.set(pgid, dir);
  const watchdogPid = spawnWatchdog(pgid, graceSeconds, dir);
  return () => {
    guarded.delete(pgid);
    if (watchdogPid !== undefined) signalGroup(watchdogPid, 'SIGKILL');
  };
}
