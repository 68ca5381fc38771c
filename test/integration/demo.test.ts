// Acceptance of the README's main job: `npm run demo` serves errors of three categories within a minute, and
// Ctrl-C (SIGINT to its process group, as a terminal sends it) leaves no process behind, the broker JVM included.
// `--proxy`: one client through the protocol proxy, its codes counted by both captures.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from '../support/kafka/process-group-guard.js';
import { kafkaEnv } from './support/kafka-env.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WITH_PROMETHEUS = existsSync('/usr/bin/prometheus');
const ERROR_FAMILIES = ['kafka_client_response_errors_total', 'kafka_client_operation_errors_total'];

/** True while any process of the group exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The categories of the error series in an exposition, and the throttled responses counted. */
function summarize(exposition: string): { categories: Set<string>; codes: Set<string>; throttled: number } {
  const categories = new Set<string>();
  const codes = new Set<string>();
  let throttled = 0;
  for (const line of exposition.split('\n')) {
    const name = line.split(/[{ ]/, 1)[0]!;
    if (ERROR_FAMILIES.includes(name)) {
      categories.add(/kafka_error_category="([^"]+)"/.exec(line)?.[1] ?? '?');
      codes.add(/kafka_error_code="([^"]+)"/.exec(line)?.[1] ?? '?');
    }
    if (name === 'kafka_client_throttle_time_seconds_count') throttled += Number(line.split(' ').at(-1));
  }
  return { categories, codes, throttled };
}

async function poll<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(1000);
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

// The demo starts a broker of its own from the local jars: it needs what the local harness needs.
describe.skipIf(kafkaEnv().source !== 'local')('npm run demo (the README main job)', () => {
  it('serves retriable, non_retriable and fatal errors and throttling within a minute; Ctrl-C leaves no process', async () => {
    const args = ['run', 'demo', '--', '--port', '0', '--duration', '600', '--interval', '5'];
    if (WITH_PROMETHEUS) args.push('--prometheus');
    // Its own process group, so that the SIGINT below reaches npm, its shell and the demo, like Ctrl-C.
    const child = spawn('npm', args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pgid = child.pid!;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const outputClosed = new Promise<void>((resolve) => child.stdout.once('close', () => resolve()));
    const context = (): string => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr.slice(-4000)}`;

    try {
      // The jars check and the broker start come first.
      const metricsUrl = await poll('the metrics URL', Date.now() + 240_000, async () => {
        if (child.exitCode !== null) throw new Error(`demo exited early (${child.exitCode})\n${context()}`);
        return /^\s+metrics\s+(http:\S+\/metrics)$/m.exec(stdout)?.[1];
      });
      const brokerPid = Number(/broker\s+\S+ \(pid (\d+)/.exec(stdout)?.[1]);
      expect(isProcessAlive(brokerPid)).toBe(true);

      // Within a minute of the URL being printed: three categories, the workload's codes, throttled responses.
      const expectedCodes = ['3', '10', '21', '27', '36', '47'];
      let last = summarize('');
      await poll(
        'errors of three categories, every provoked code and throttling',
        Date.now() + 60_000,
        async () => {
          const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
          last = summarize(await response.text());
          const complete =
            ['retriable', 'non_retriable', 'fatal'].every((c) => last.categories.has(c)) &&
            expectedCodes.every((code) => last.codes.has(code)) &&
            last.throttled > 0;
          return complete ? true : undefined;
        },
      ).catch((error: Error) => {
        const seen = `categories ${[...last.categories]}, codes ${[...last.codes]}, throttled ${last.throttled}`;
        throw new Error(`${error.message} (${seen})\n${context()}`);
      });

      const landing = await (await fetch(metricsUrl.replace(/metrics$/, ''))).text();
      expect(landing).toContain('INVALID_PRODUCER_EPOCH');

      let prometheusPid: number | undefined;
      if (WITH_PROMETHEUS) {
        const match = /^\s+prometheus\s+(http:\S+) \(pid (\d+)/m.exec(stdout);
        expect(match, context()).not.toBeNull();
        prometheusPid = Number(match![2]);
        const base = match![1]!;
        // The shipped fatal alert fires from the demo's INVALID_PRODUCER_EPOCH.
        await poll('KafkaClientFatalError firing in Prometheus', Date.now() + 60_000, async () => {
          const body = (await (await fetch(`${base}/api/v1/alerts`)).json()) as {
            data: { alerts: { labels: Record<string, string>; state: string }[] };
          };
          return body.data.alerts.some(
            (a) => a.labels.alertname === 'KafkaClientFatalError' && a.state === 'firing',
          )
            ? true
            : undefined;
        });
      }

      // Ctrl-C: the whole foreground group gets SIGINT.
      process.kill(-pgid, 'SIGINT');
      await poll('the demo to exit', Date.now() + 60_000, async () => (groupAlive(pgid) ? undefined : true));
      await outputClosed;
      expect(stdout).toContain('SIGINT: stopping');
      expect(stdout).toContain('no process left behind');
      expect(isProcessAlive(brokerPid)).toBe(false);
      if (prometheusPid !== undefined) expect(isProcessAlive(prometheusPid)).toBe(false);
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  }, 420_000);

  it('SIGTERM to the demo process alone stops it and its broker', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'demo/main.ts', '--port', '0', '--interval', '60'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', () => undefined);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const pid = await poll('the broker pid', Date.now() + 180_000, async () => {
        if (child.exitCode !== null) throw new Error(`demo exited early (${child.exitCode})\n${stdout}`);
        const match = /broker\s+\S+ \(pid (\d+)/.exec(stdout);
        return match ? Number(match[1]) : undefined;
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('SIGTERM: stopping');
      expect(isProcessAlive(pid)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);

  it('--proxy runs demo-app through the protocol proxy: its codes in the proxy column and on its /metrics', async () => {
    const args = ['--import', 'tsx', 'demo/main.ts', '--port', '0', '--interval', '5'];
    args.push('--proxy');
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const context = (): string => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr.slice(-4000)}`;
    try {
      const [, bootstrap, broker] = await poll('the proxy line', Date.now() + 180_000, async () => {
        if (child.exitCode !== null) throw new Error(`demo exited early (${child.exitCode})\n${context()}`);
        return /^\s+kafka proxy\s+(\S+) → (\S+)/m.exec(stdout) ?? undefined;
      });
      const proxyMetrics = /^\s+proxy metrics\s+(http:\S+\/metrics)/m.exec(stdout)![1]!;
      // demo-app's own codes, counted by the proxy too: 3, 10 and 21 in the table's proxy column.
      await poll('a table whose proxy column counts 3, 10 and 21', Date.now() + 60_000, async () => {
        const table = stdout.slice(stdout.lastIndexOf('broker responses'));
        const proxied = (code: number): number =>
          Number(
            new RegExp(`^\\s+${code}\\s+[A-Z_]+\\s+\\w+\\s+\\d+\\s+\\d+\\s+(\\d+)$`, 'm').exec(table)?.[1] ??
              0,
          );
        return [3, 10, 21].every((code) => proxied(code) > 0) ? true : undefined;
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${context()}`);
      });
      // The proxy's exporter labels them with demo-app and the upstream broker, never the proxy's own address.
      const exposition = await (await fetch(proxyMetrics)).text();
      const [host, port] = broker!.split(':');
      const tooLarge = exposition
        .split('\n')
        .filter((line) => line.startsWith('kafka_client_response_errors_total{'))
        .filter((line) => line.includes('kafka_error_code="10"'));
      expect(tooLarge.length, exposition).toBeGreaterThan(0);
      for (const line of tooLarge) {
        expect(line).toContain('messaging_client_id="demo-app"');
        expect(line).toContain(`server_address="${host}"`);
        expect(line).toContain(`server_port="${port}"`);
      }
      expect(exposition).not.toContain(`server_port="${bootstrap!.split(':')[1]}"`);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('stopping the workload, the proxy,');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 300_000);
});
