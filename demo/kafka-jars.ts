// Makes sure the broker jars are on disk before the demo starts a broker: runs scripts/kafka/fetch.sh, the same
// step the tests and .ci/run use (instant once the jars are there; Maven Central on a fresh machine).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../test/support/kafka/kafka-install.js';

/**
 * Runs `bash scripts/kafka/fetch.sh <version>` with its output on the demo's console.
 * @throws with the script's exit code when it fails (its own message, e.g. "java not found", is printed above).
 */
export function ensureKafkaJars(version: string): Promise<void> {
  const script = path.join(projectRoot(), 'scripts', 'kafka', 'fetch.sh');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, version], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', (error) => reject(new Error(`cannot run ${script}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${path.relative(process.cwd(), script)} ${version} failed (${signal ?? `exit code ${code}`}): ` +
              'the broker needs Java 17 and Maven (apt-get install openjdk-17-jdk-headless maven)',
          ),
        );
    });
  });
}
