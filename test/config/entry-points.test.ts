// `serve` and an option only zero-code mode uses. No option is zero-code's alone today, so this file re-tags
// topicLabel as one: the rule is the one zero-code mode applies to the proxy options (resolve-options.test.ts).
import { describe, expect, it, vi } from 'vitest';
import { ignoredSettingsWarning, notUsedBy } from '../../src/config/entry-points.js';
import type * as OptionTable from '../../src/config/option-table.js';
import { resolveOptions } from '../../src/config/resolve-options.js';
import type { ResolveInput } from '../../src/config/resolve-options.js';

vi.mock('../../src/config/option-table.js', async (importOriginal) => {
  const original = await importOriginal<typeof OptionTable>();
  return {
    ...original,
    OPTION_TABLE: original.OPTION_TABLE.map((spec) =>
      spec.key === 'topicLabel' ? { ...spec, entryPoints: ['zero-code'] } : spec,
    ),
  };
});

const FILES: Record<string, string> = { '/c.yaml': 'port: 1\ntopicLabel: true\n' };

function resolve(input: Partial<ResolveInput>) {
  return resolveOptions({ argv: [], env: {}, readFile: (path) => FILES[path] ?? '', ...input });
}

describe('serve and an option only zero-code mode uses', () => {
  it.each([['--topic-label'], ['--no-topic-label'], ['--topic-label=false']])(
    'refuses the flag %s, naming both entry points',
    (flag) => {
      expect(() => resolve({ argv: [flag] })).toThrow(
        `option ${flag.split('=')[0]} is used only by zero-code mode (kafka-error-exporter/register); serve does not use it`,
      );
    },
  );

  it('refuses the key of a file named by --config, naming the file', () => {
    expect(() => resolve({ argv: ['--config', '/c.yaml'] })).toThrow(
      'key "topicLabel" in /c.yaml is used only by zero-code mode (kafka-error-exporter/register); serve does not use it',
    );
  });

  it('sets the key of a file named by a variable aside, to be warned about once: the file may be shared', () => {
    const result = resolve({ env: { KAFKA_ERROR_EXPORTER_CONFIG: '/c.yaml' } });
    expect(result).toMatchObject({ kind: 'options', ignoredSettings: ['key "topicLabel" in /c.yaml'] });
  });

  it('sets the variable aside, unvalidated, to be warned about once', () => {
    const result = resolve({ entryPoint: 'serve', env: { KAFKA_ERROR_EXPORTER_TOPIC_LABEL: 'maybe' } });
    expect(result).toMatchObject({
      kind: 'options',
      options: { topicLabel: false },
      ignoredSettings: ['KAFKA_ERROR_EXPORTER_TOPIC_LABEL'],
    });
  });

  it('is taken by zero-code mode from the variable and the file', () => {
    expect(
      resolve({ entryPoint: 'zero-code', env: { KAFKA_ERROR_EXPORTER_TOPIC_LABEL: 'true' } }),
    ).toMatchObject({
      options: { topicLabel: true },
      ignoredSettings: [],
    });
    expect(
      resolve({ entryPoint: 'zero-code', env: { KAFKA_ERROR_EXPORTER_CONFIG: '/c.yaml' } }),
    ).toMatchObject({ options: { port: 1, topicLabel: true } });
  });
});

describe('the messages', () => {
  it('name who uses the option and who does not', () => {
    expect(notUsedBy('option --proxy-listen', ['serve'], 'zero-code')).toBe(
      'option --proxy-listen is used only by serve; zero-code mode (kafka-error-exporter/register) does not use it',
    );
  });

  it('warn about all ignored variables in one line', () => {
    expect(ignoredSettingsWarning(['A', 'B'], 'serve')).toBe(
      'serve ignores A, B: used only by zero-code mode (kafka-error-exporter/register)',
    );
  });
});
