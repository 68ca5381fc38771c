// Three projects, by cost:
// - unit (and unit-isolated, its files that mock a module): hermetic, for the inner loop (`npm run check`): no
//   child process, no browser, no network beyond in-process loopback servers. A test that needs more is named
//   `*.system.test.ts` (or `*.browser.test.ts`).
// - system: the built bin and other spawned processes (promtool, npm, Prometheus), Chromium, and the Dockerfile
//   replay.
// - integration: integration and end-to-end tests that share one real Kafka broker.
import { defineConfig } from 'vitest/config';

const SYSTEM = ['test/**/*.system.test.ts', 'test/**/*.browser.test.ts'];
const BROKER = ['test/integration/**', 'test/e2e/**'];
// Unit files that replace a module of ours with vi.mock: they get modules of their own (see below).
const MOCKING = ['test/config/entry-points.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...SYSTEM, ...BROKER, ...MOCKING],
          setupFiles: ['test/support/hermetic.ts'],
          // Worker threads that keep their modules from file to file: most of a fresh worker's time per file was
          // loading the same modules again (38 s for the project against 16 s). Unit tests share no state
          // through modules; a file that mocks one of ours runs in `unit-isolated`.
          pool: 'threads',
          isolate: false,
        },
      },
      {
        test: {
          name: 'unit-isolated',
          include: MOCKING,
          setupFiles: ['test/support/hermetic.ts'],
          pool: 'threads',
        },
      },
      {
        test: {
          name: 'system',
          include: SYSTEM,
          exclude: BROKER,
          // Spawned processes (npx, promtool, serve, Chromium) take seconds on a loaded 2-core machine.
          testTimeout: 30_000,
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
