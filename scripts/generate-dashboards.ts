// Generates the Grafana dashboards in grafana/dashboards/ from the metric table (npm run generate:dashboards).
//
// Why our own builder (scripts/monitoring/grafana.ts) and not @grafana/grafana-foundation-sdk: the SDK's
// `latest` on npm is 0.0.x and the Grafana-versioned builds are prereleases (`11.6.0-cogv0.0.x.<timestamp>`),
// so pinning it means pinning a moving preview for three dashboards that use four panel types. Our builder is
// ~200 lines with no new dependency, reads names.ts directly, and its types make a unit, a description and
// the `${datasource}` binding mandatory, which is what the lint tests check. The JSON is what reviewers and
// Grafana read either way; it is committed, and test/grafana checks it is current (`--check` here too).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorCodeDashboard } from './monitoring/dashboards/error-code.js';
import { overviewDashboard } from './monitoring/dashboards/overview.js';
import { throttlingDashboard } from './monitoring/dashboards/throttling.js';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Where the dashboards live, relative to the repository root. */
export const DASHBOARD_DIR = 'grafana/dashboards';

/** Every shipped dashboard file (repository-relative path) and its generated contents. */
export function shippedDashboards(): Record<string, string> {
  const dashboards = [overviewDashboard(), throttlingDashboard(), errorCodeDashboard()];
  return Object.fromEntries(
    dashboards.map((d) => [`${DASHBOARD_DIR}/${String(d.uid)}.json`, `${JSON.stringify(d, null, 2)}\n`]),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const stale: string[] = [];
  for (const [path, text] of Object.entries(shippedDashboards())) {
    const full = join(ROOT, path);
    if (values.check) {
      if ((await readFile(full, 'utf8').catch(() => '')) !== text) stale.push(path);
    } else {
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, text);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(`Stale dashboards (run npm run generate:dashboards): ${stale.join(', ')}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
