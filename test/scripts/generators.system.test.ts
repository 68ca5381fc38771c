// Every generator's --check mode passes on the committed files (each runs as `npm run generate:<name> -- --check`
// would: a child process with tsx).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GENERATORS = readdirSync(`${ROOT}/scripts`).filter((file) => /^generate-.*\.ts$/.test(file));

describe('the generators', { timeout: 120_000 }, () => {
  it('are the six the package scripts run', () => {
    expect(GENERATORS.sort()).toEqual([
      'generate-config-doc.ts',
      'generate-dashboards.ts',
      'generate-metrics-doc.ts',
      'generate-protocol-schemas.ts',
      'generate-registry.ts',
      'generate-rules.ts',
    ]);
  });

  it.each(GENERATORS)('%s --check finds the committed files current', (file) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', `scripts/${file}`, '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });
});
