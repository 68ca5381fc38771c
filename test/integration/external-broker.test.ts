// The README's broker switches, run on one small suite in a nested vitest: KAFKA_BROKERS uses a running cluster
// and starts nothing; KAFKA_VERSION starts the local broker on another Kafka version.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithKafka, kafkaEnv } from './support/kafka-env.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A quick suite that needs a broker (one kafkajs client, one missing topic). */
const PAYLOAD = 'test/integration/readme-zero-code.test.ts';

/** A nested run starts vitest and maybe a cold broker JVM of another version: minutes on a loaded machine. */
const NESTED_TIMEOUT_MS = 240_000;

/** `vitest run` of the payload in the integration project, with the given broker variables and no others. */
function nestedRun(variables: Record<string, string>): Promise<{ status: number | null; output: string }> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('VITEST') || key.startsWith('KAFKA_')) continue;
    env[key] = value;
  }
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['vitest', 'run', '--project', 'integration', PAYLOAD],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: NESTED_TIMEOUT_MS,
        maxBuffer: 64 << 20,
        env: { ...env, ...variables },
      },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ status, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

describeWithKafka('broker switches of `npm test` (README)', () => {
  it(
    'KAFKA_BROKERS runs the suites against that cluster and starts no broker',
    async () => {
      const { status, output } = await nestedRun({ KAFKA_BROKERS: kafkaEnv().brokers.join(',') });
      expect(status, output).toBe(0);
      expect(output).toMatch(/1 passed/);
      expect(output).not.toMatch(/kafka \S+ ready in/);
    },
    NESTED_TIMEOUT_MS + 30_000,
  );

  it.skipIf(kafkaEnv().source !== 'local')(
    'KAFKA_VERSION=4.1.1 starts the local broker on Kafka 4.1.1',
    async () => {
      const { status, output } = await nestedRun({ KAFKA_VERSION: '4.1.1' });
      expect(status, output).toBe(0);
      expect(output).toMatch(/kafka 4\.1\.1 ready in/);
      expect(output).toMatch(/1 passed/);
    },
    NESTED_TIMEOUT_MS + 30_000,
  );
});
