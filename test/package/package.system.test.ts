// What the npm package ships, and what its main entry loads: the product only, and no OpenTelemetry SDK.
// Reads dist/ as `npm run build` left it (npm test builds first).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The module URLs that importing `specifier` resolves, recorded by a resolve hook in a fresh Node process. */
function modulesLoadedBy(specifier: string, env: Record<string, string> = {}): string[] {
  const hook =
    'let port; export function initialize(data) { port = data.port; } ' +
    'export async function resolve(s, c, next) { const r = await next(s, c); port.postMessage(r.url); return r; }';
  const probe = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const seen = [];
    port1.on('message', (url) => seen.push(url));
    port1.unref();
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), {
      data: { port: port2 },
      transferList: [port2],
    });
    await import(${JSON.stringify(specifier)});
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.stdout.write(JSON.stringify(seen));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return JSON.parse(out) as string[];
}

const SDK = '/node_modules/@opentelemetry/sdk-metrics/';

describe('the npm package', { timeout: 60_000 }, () => {
  it('lists the built product and no demo, testing or test file', () => {
    expect(existsSync(new URL('../../dist/index.js', import.meta.url)), 'run npm run build first').toBe(true);
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    ) as [{ files: { path: string }[] }];
    const files = pack.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/otel.js', 'dist/register.js', 'dist/cli/main.js']),
    );
    expect(
      files.filter((path) => /(^|\/)(demo|testing|test|bench|scripts|src)\/|\.test\./.test(path)),
    ).toEqual([]);
  });

  it('loads no OpenTelemetry SDK from its main entry; the /otel subpath does', () => {
    const main = modulesLoadedBy('kafka-error-exporter');
    expect(main.some((url) => url.endsWith('/dist/index.js'))).toBe(true);
    expect(main.filter((url) => url.includes(SDK))).toEqual([]);
    expect(modulesLoadedBy('kafka-error-exporter/otel').some((url) => url.includes(SDK))).toBe(true);
  });

  it('loads the OpenTelemetry SDK from its register entry only when an OTLP endpoint is set', () => {
    const env = {
      KAFKA_ERROR_EXPORTER_HOST: '127.0.0.1',
      KAFKA_ERROR_EXPORTER_PORT: '0',
      KAFKA_ERROR_EXPORTER_LOG_LEVEL: 'silent',
    };
    const plain = modulesLoadedBy('kafka-error-exporter/register', env);
    expect(plain.some((url) => url.endsWith('/dist/register.js'))).toBe(true);
    expect(plain.filter((url) => url.includes(SDK))).toEqual([]);
    const pushing = modulesLoadedBy('kafka-error-exporter/register', {
      ...env,
      // Nothing listens there: the flush at exit fails fast, which is all this test needs.
      KAFKA_ERROR_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/v1/metrics',
      KAFKA_ERROR_EXPORTER_SHUTDOWN_TIMEOUT: '1s',
    });
    expect(pushing.some((url) => url.includes(SDK))).toBe(true);
  });
});
