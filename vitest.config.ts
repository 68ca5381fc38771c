// Three projects, by cost:
// - unit: hermetic, for the inner loop (`npm run check`): no child process, no browser, no network beyond
//   in-process loopback servers. A test that needs more is named `*.system.test.ts` (or `*.browser.test.ts`).
// - system: the built bin and other spawned processes (promtool, npm, Prometheus), Chromium, and the Dockerfile
//   replay.
// - integration: integration and end-to-end tests that share one real Kafka broker.
import { defineConfig } from 'vitest/config';

const SYSTEM = ['test/**/*.system.test.ts', 'test/**/*.browser.test.ts'];
const BROKER = ['test/integration/**', 'test/e2e/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...SYSTEM, ...BROKER],
          setupFiles: ['test/support/hermetic.ts'],
        },
      },
      {
        test: {
          name: 'system',
          include: SYSTEM,
          exclude: BROKER,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/integration/setup/global-setup.ts'],
          // One broker on a 2-core machine: run files one after another.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
