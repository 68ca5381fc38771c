// Setup of the unit project: starting a child process fails the test, so that a test needing one is named
// `*.system.test.ts` rather than slowing the inner loop (see vitest.config.ts).
import { vi } from 'vitest';

// vi.mock calls are hoisted above the imports: what their factories share must be hoisted too.
const { refusing } = vi.hoisted(() => {
  const NAMES = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];
  const refused = Object.fromEntries(
    NAMES.map((name) => [
      name,
      () => {
        throw new Error(
          `unit tests are hermetic: child_process.${name}() is refused; name the test file *.system.test.ts`,
        );
      },
    ]),
  );
  /** The module with every way of starting a process replaced by one that throws. */
  const refusing = (original: Record<string, unknown>) => ({
    ...original,
    ...refused,
    default: { ...(original.default as object), ...refused },
  });
  return { refusing };
});

vi.mock('node:child_process', async (importOriginal) => refusing(await importOriginal()));
vi.mock('child_process', async (importOriginal) => refusing(await importOriginal()));
