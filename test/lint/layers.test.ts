// The import direction is enforced: ESLint, with the repository's own config, refuses an import against it.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Virtual files are not in the TypeScript project: parse without type information and run only the layer rule.
const eslint = new ESLint({
  cwd: new URL('../..', import.meta.url).pathname,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

/** The `no-restricted-imports` messages for `code` linted as if it were the file `filePath`. */
async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.fatal)
    .map((m) => m.message);
}

describe('the layer rules of eslint.config.js', { timeout: 60_000 }, () => {
  it.each([
    ['src/capture/kafkajs/virtual.ts', "import { createPrometheusSink } from '../../sinks/prometheus.js';"],
    ['src/capture/protocol/virtual.ts', "import type { Recorder } from '../../record/recorder.js';"],
    ['src/capture/virtual.ts', "import { resolveOptions } from '../config/resolve-options.js';"],
    ['src/record/virtual.ts', "import { createPrometheusSink } from '../sinks/prometheus.js';"],
    ['src/sinks/virtual.ts', "import { instrumentKafkajs } from '../capture/kafkajs/instrument.js';"],
    ['src/server/virtual.ts', "import { createRecorder } from '../record/recorder.js';"],
    ['src/config/virtual.ts', "import { DEFAULT_SERVER_LIMITS } from '../server/exporter-server.js';"],
    ['src/metrics/virtual.ts', "import { OPERATION_NAMES } from '../events.js';"],
    ['src/cli/virtual.ts', "import { createExporterServer } from '../server/exporter-server.js';"],
    ['src/register.ts', "import { createRecorder } from './record/recorder.js';"],
  ])('refuses in %s: %s', async (filePath, code) => {
    const messages = await restricted(filePath, `${code}\nexport {};\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/may import only its own files and .*import direction/);
  });

  it.each([
    ['src/capture/kafkajs/virtual.ts', "import type { CaptureRecorder } from '../../events.js';"],
    ['src/capture/kafkajs/virtual.ts', "import { createFrameReader } from '../protocol/frame-reader.js';"],
    ['src/record/virtual.ts', "import { METRICS } from '../metrics/names.js';"],
    ['src/sinks/virtual.ts', "import type { MetricSource } from '../record/metric-source.js';"],
    [
      'src/config/virtual.ts',
      "import { DEFAULT_MAX_FRAME_BYTES } from '../capture/protocol/frame-reader.js';",
    ],
    ['src/exporter/virtual.ts', "import { createExporterServer } from '../server/exporter-server.js';"],
    ['src/cli/virtual.ts', "import { createExporter } from '../exporter/create-exporter.js';"],
  ])('allows in %s: %s', async (filePath, code) => {
    expect(await restricted(filePath, `${code}\nexport {};\n`)).toEqual([]);
  });
});
