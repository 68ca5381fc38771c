// Starts `kafka-error-exporter serve` as a child process from the build (dist/), as users run it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI and the arguments that select `serve`. */
export const CLI = [`${ROOT}dist/cli/main.js`, 'serve'];

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  stdout(): string;
  /** The exit code (or the signal name) once the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves when stderr contains `text`. */
  waitFor(text: string | RegExp): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Kills (by pid) any child a test left running. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export interface SpawnOptions {
  readonly env?: Record<string, string>;
  /** A module to `--import` into the process before the CLI. */
  readonly preload?: string;
}

/** Spawns `serve` with `args`; the environment holds only PATH plus `env`, so that the host's variables do not leak in. */
export function spawnServe(args: readonly string[], options: SpawnOptions = {}): ServeProcess {
  if (!existsSync(CLI[0]!)) throw new Error(`${CLI[0]} is missing: run npm run build first`);
  const nodeArgs = options.preload ? ['--import', options.preload] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...CLI, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  let stdout = '';
  const waiters: { pattern: string | RegExp; resolve: () => void }[] = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const found =
        typeof waiter.pattern === 'string' ? stderr.includes(waiter.pattern) : waiter.pattern.test(stderr);
      if (found) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    check();
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void exited.then((code) =>
          reject(new Error(`serve exited (${code}) before ${String(pattern)}:\n${stderr}`)),
        );
      });
    },
  };
}

/** Spawns `serve` and waits for its `listening` log line; returns its URL. */
export async function startServe(
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<ServeProcess & { url: string }> {
  const serve = spawnServe(['--port', '0', '--host', '127.0.0.1', ...args], options);
  await serve.waitFor(/"msg":"listening"/);
  const line = serve
    .stderr()
    .split('\n')
    .find((l) => l.includes('"msg":"listening"'))!;
  return Object.assign(serve, { url: (JSON.parse(line) as { url: string }).url });
}
