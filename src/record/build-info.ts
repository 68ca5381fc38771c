// The labels of kafka_error_exporter_build_info: this package's version and the Node.js version running it.
import { createRequire } from 'node:module';
import type { SeriesLabels } from './metric-source.js';

/**
 * The package version, read from package.json at run time: the same relative path works from `src/record/`
 * (tests, tsx) and `dist/record/` (the published build).
 */
export const PACKAGE_VERSION: string = (
  createRequire(import.meta.url)('../../package.json') as { version: string }
).version;

/** `{ version, nodejs_version }`, e.g. `{ version: '0.1.0', nodejs_version: 'v20.20.2' }`. */
export const BUILD_INFO_LABELS: SeriesLabels = Object.freeze({
  version: PACKAGE_VERSION,
  nodejs_version: process.version,
});
