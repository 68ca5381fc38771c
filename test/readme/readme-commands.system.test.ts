// Every command the README shows is run somewhere (here, another test, or .ci/run), and its TypeScript snippets
// are the compiled files of test/readme/snippets/. The cheap CLI commands run here, exactly as written.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const SNIPPETS = path.join(ROOT, 'test', 'readme', 'snippets');

const HERE = 'test/readme/readme-commands.system.test.ts';

/** Where each README command is exercised: a file that must contain `needle`. */
const EXERCISED: Readonly<Record<string, { readonly file: string; readonly needle: string }>> = {
  // Fenced shell blocks.
  'npm ci && npm run demo': { file: 'test/integration/demo.test.ts', needle: "'run', 'demo'" },
  'npm ci && npm test': { file: '.ci/run', needle: 'npm test' },
  'promtool check rules deploy/prometheus/kafka-client.rules.yml': { file: HERE, needle: 'promtool' },
  'promtool test rules deploy/prometheus/kafka-client.rules.test.yml': { file: HERE, needle: 'promtool' },
  'KAFKA_ERROR_EXPORTER_PORT=9464 node --import kafka-error-exporter/register app.js': {
    file: 'test/integration/readme-zero-code.test.ts',
    needle: 'readmeCommand()',
  },
  'npx kafka-error-exporter serve': { file: HERE, needle: 'KAFKA_ERROR_EXPORTER_PORT' },
  'npx kafka-error-exporter serve --proxy-upstream kafka-1:9092,kafka-2:9092': {
    file: HERE,
    needle: 'KAFKA_ERROR_EXPORTER_PROXY_LISTEN',
  },
  // kcat through the proxy: the proxy tests run it the same way against a real broker.
  'kcat -b 127.0.0.1:19092 -L': {
    file: 'test/integration/proxy/proxy-single-broker.test.ts',
    needle: 'hands kcat only its own broker addresses',
  },
  'echo hello | kcat -b 127.0.0.1:19092 -X client.id=orders -P -t orders': {
    file: 'test/integration/proxy/proxy-single-broker.test.ts',
    needle: 'kcatProduce(opts',
  },
  'kcat -b 127.0.0.1:19092 -X client.id=orders -C -G orders-group -o beginning -c 1 -e -q orders': {
    file: 'test/integration/proxy/proxy-single-broker.test.ts',
    needle: "['-C', '-G', group, '-o', 'beginning'",
  },
  'npx kafka-error-exporter codes --category fatal': { file: HERE, needle: 'INVALID_PRODUCER_EPOCH' },
  'npx kafka-error-exporter explain 27': { file: HERE, needle: 'REBALANCE_IN_PROGRESS' },
  'npx kafka-error-exporter serve --help': { file: HERE, needle: '--web-config-file' },
  // Inline commands in the text.
  'npm run demo': { file: 'test/integration/demo.test.ts', needle: "'run', 'demo'" },
  'npm run demo -- --prometheus': {
    file: 'test/integration/demo.test.ts',
    needle: "args.push('--prometheus')",
  },
  'npm run demo -- --proxy': { file: 'test/integration/demo.test.ts', needle: "args.push('--proxy')" },
  'npm test': { file: '.ci/run', needle: 'npm test' },
  'bash scripts/kafka/fetch.sh': { file: '.ci/run', needle: 'bash scripts/kafka/fetch.sh' },
  'bash scripts/kafka/fetch-client.sh': { file: '.ci/run', needle: 'bash scripts/kafka/fetch-client.sh' },
  // Part of npm test, which .ci/run runs.
  'npm run test:kafka4': {
    file: 'package.json',
    needle:
      '"test": "npm run build && npm run typecheck && npm run lint && vitest run && npm run test:kafka4"',
  },
  'npm run generate:rules': {
    file: 'test/deploy/prometheus-rules.test.ts',
    needle: 'npm run generate:rules',
  },
  // The inner loop, run by hand: a subset of the steps of npm test.
  'npm run check': {
    file: 'package.json',
    needle:
      '"check": "npm run typecheck && npm run lint && FUZZ_RUNS=0.1 vitest run --project unit --project unit-isolated"',
  },
  // Run by hand for the README's table, which carries the date it was measured.
  'npm run bench': { file: 'README.md', needle: 'Measured on 20' },
  'npm run bench proxy': { file: 'README.md', needle: 'Measured on 20' },
  'npm run bench soak': { file: 'README.md', needle: 'Measured on 2026-12-03 (target: growth under' },
  // The proxy bench's prerequisites: CI fetches the 4.4.0 broker jars; the bench names the Kroxylicious
  // script when its jars are missing.
  'bash scripts/kafka/fetch.sh 4.4.0': { file: '.ci/run', needle: 'bash scripts/kafka/fetch.sh 4.4.0' },
  'bash bench/java/fetch-kroxylicious.sh': {
    file: 'bench/proxy/paths.ts',
    needle: 'bash bench/java/fetch-kroxylicious.sh',
  },
  'KAFKA_BROKERS=127.0.0.1:9092 npm test': {
    file: 'test/integration/external-broker.test.ts',
    needle: 'KAFKA_BROKERS',
  },
  'KAFKA_VERSION=4.1.1 npm test': {
    file: 'test/integration/external-broker.test.ts',
    needle: 'KAFKA_VERSION',
  },
  // The Deploy section. No cluster or Docker engine here: what these apply is validated offline.
  'npm ci --omit=dev': { file: 'test/deploy/dockerfile.system.test.ts', needle: 'npm ci --omit=dev' },
  'promtool check config': {
    file: 'test/deploy/compose-promtool.system.test.ts',
    needle: "'check', 'config'",
  },
  'kubectl apply -k deploy/kubernetes': { file: 'test/deploy/kubernetes.test.ts', needle: 'kustomization' },
  'docker compose -f deploy/compose.yaml up --build': {
    file: 'test/deploy/compose-file.ts',
    needle: "join(deploy, 'compose.yaml')",
  },
};

/** The lines of the fenced blocks in `language`, without trailing `# comments`. */
function fencedLines(markdown: string, language: string): string[] {
  const blocks = [...markdown.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```', 'gm'))];
  return blocks
    .flatMap((block) => block[1]!.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Inline code spans that are commands (npm, npx, node, bash, promtool, kubectl, docker, or a variable first). */
function inlineCommands(markdown: string): string[] {
  const withoutBlocks = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return [...withoutBlocks.matchAll(/`([^`\n]+)`/g)]
    .map((match) => match[1]!)
    .filter((code) =>
      /^(npm |npx |node |bash |promtool |kubectl |docker )|^[A-Z_]+=\S+ (npm|node|npx) /.test(code),
    );
}

/** Runs a README command line through the shell, never letting npx fetch a package from the registry. */
function sh(command: string, env: Record<string, string> = {}) {
  return spawnSync('sh', ['-c', command], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, npm_config_yes: 'false', ...env },
  });
}

describe('README commands', () => {
  it('every shell and inline command is in the list of exercised commands, and the list has no extra', () => {
    const commands = new Set([...fencedLines(README, 'sh'), ...inlineCommands(README)]);
    expect([...commands].sort()).toEqual(Object.keys(EXERCISED).sort());
  });

  it.each(Object.entries(EXERCISED))('`%s` is exercised by %o', (_command, { file, needle }) => {
    expect(existsSync(path.join(ROOT, file)), file).toBe(true);
    expect(readFileSync(path.join(ROOT, file), 'utf8')).toContain(needle);
  });

  it('each TypeScript block is, verbatim, a snippet the type-check compiles', () => {
    const blocks = [...README.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    const snippets = readdirSync(SNIPPETS).map((file) => readFileSync(path.join(SNIPPETS, file), 'utf8'));
    expect(blocks.sort()).toEqual(snippets.sort());
  });

  it('every link inside the repository points at a heading or a file that exists', () => {
    // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    const anchors = new Set(
      [...README.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 _-]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const targets = [...README.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!)
      .filter((t) => !/^https?:/.test(t));
    expect(targets.length).toBeGreaterThan(10);
    for (const target of targets) {
      if (target.startsWith('#')) expect(anchors, target).toContain(target.slice(1));
      else expect(existsSync(path.join(ROOT, target.split('#')[0]!)), target).toBe(true);
    }
  });

  it.each([
    ['npx kafka-error-exporter codes --category fatal', /^\s+47\s+INVALID_PRODUCER_EPOCH\s+fatal\s+false/m],
    ['npx kafka-error-exporter explain 27', /^\s+category\s+retriable$/m],
    ['npx kafka-error-exporter serve --help', /--web-config-file <path>/],
    ['promtool check rules deploy/prometheus/kafka-client.rules.yml', /SUCCESS: \d+ rules found/],
    ['promtool test rules deploy/prometheus/kafka-client.rules.test.yml', /SUCCESS/],
  ])('`%s` works as written', (command, expected) => {
    expect(README).toContain(command);
    const result = sh(command);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toMatch(expected);
  });

  /** Runs a README `serve` command as written (ports moved by variables) until it logs its URL. */
  async function startServe(command: string, env: Record<string, string>) {
    const child = spawn('sh', ['-c', `exec ${command}`], {
      cwd: ROOT,
      env: {
        ...process.env,
        npm_config_yes: 'false',
        KAFKA_ERROR_EXPORTER_HOST: '127.0.0.1',
        KAFKA_ERROR_EXPORTER_PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<void>((resolve) => child.stderr.once('close', () => resolve()));
    const stop = async (): Promise<void> => {
      process.kill(-child.pid!, 'SIGTERM');
      await closed;
    };
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 30_000);
        child.stderr.on('data', () => {
          const match = /"url":"(http:[^"]+)"/.exec(stderr);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      return { url, stderr: () => stderr, stop };
    } catch (error) {
      await stop();
      throw error;
    }
  }

  it('`npx kafka-error-exporter serve` listens and answers /healthz (port moved by its variable)', async () => {
    const serve = await startServe('npx kafka-error-exporter serve', {});
    try {
      expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
    } finally {
      await serve.stop();
    }
  }, 60_000);

  it('`serve --proxy-upstream` runs the proxy: not ready while its cluster does not answer', async () => {
    const command = 'npx kafka-error-exporter serve --proxy-upstream kafka-1:9092,kafka-2:9092';
    expect(README).toContain(command);
    // The bootstrap listener on a free port: 19092 may be taken on a shared machine.
    const serve = await startServe(command, { KAFKA_ERROR_EXPORTER_PROXY_LISTEN: '127.0.0.1:0' });
    try {
      expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${serve.url}/readyz`)).status).toBe(503);
      expect(serve.stderr()).toContain('"upstream":"kafka-1:9092,kafka-2:9092"');
      expect(await (await fetch(`${serve.url}/metrics`)).text()).toContain(
        'kafka_error_exporter_proxy_listeners 1',
      );
    } finally {
      await serve.stop();
    }
  }, 60_000);
});
