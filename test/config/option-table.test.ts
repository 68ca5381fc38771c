import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, renderConfigurationDoc } from '../../scripts/configuration-doc.js';
import { resolveOptions } from '../../src/config/resolve-options.js';
import { defaultOf, OPTION_TABLE } from '../../src/config/option-table.js';
import { DEFAULT_OPTIONS, ENV_PREFIX } from '../../src/config/options.js';
import { renderServeHelp } from '../../src/config/serve-help.js';
import { formatValue, parseValue } from '../../src/config/value-types.js';

describe('the option table', () => {
  it('has exactly one row per option of the defaults', () => {
    expect(OPTION_TABLE.map((spec) => spec.key).sort()).toEqual(Object.keys(DEFAULT_OPTIONS).sort());
  });

  it('has unique flags and environment variables, all with the one prefix', () => {
    expect(new Set(OPTION_TABLE.map((spec) => spec.flag)).size).toBe(OPTION_TABLE.length);
    expect(new Set(OPTION_TABLE.map((spec) => spec.env)).size).toBe(OPTION_TABLE.length);
    for (const spec of OPTION_TABLE) {
      expect(spec.env.startsWith(ENV_PREFIX)).toBe(true);
      expect(spec.flag).toMatch(/^--[a-z][a-z-]+$/);
    }
  });

  it('says of every option which entry points use it, the Kafka proxy options being serve only', () => {
    for (const spec of OPTION_TABLE) {
      expect(spec.entryPoints.length).toBeGreaterThan(0);
      expect(new Set(spec.entryPoints).size).toBe(spec.entryPoints.length);
      expect(spec.entryPoints.every((entry) => entry === 'serve' || entry === 'zero-code')).toBe(true);
      const proxy = spec.group === 'Kafka proxy';
      expect([spec.key, spec.entryPoints]).toEqual([spec.key, proxy ? ['serve'] : ['serve', 'zero-code']]);
    }
  });

  it.each(OPTION_TABLE.map((spec) => [spec.key, spec] as const))(
    '%s: its default passes its own validation',
    (_key, spec) => {
      const value = defaultOf(spec);
      const shown = formatValue(spec.type, value);
      if (value === null || spec.type.kind === 'category-map') return;
      expect(parseValue(spec.type, shown, { key: spec.key, where: 'test' })).toEqual(value);
    },
  );
});

describe('serve --help', () => {
  const help = renderServeHelp();
  const folded = help.replace(/\s+/g, ' ');
  it.each(
    OPTION_TABLE.filter((spec) => spec.entryPoints.includes('serve')).map(
      (spec) => [spec.key, spec] as const,
    ),
  )('documents %s with its flag, variable and default, and whether it is serve only', (_key, spec) => {
    expect(help).toContain(spec.flag);
    // The variable and the default may be wrapped onto the next line: compare with whitespace folded.
    expect(folded).toContain(spec.env);
    const serveOnly = spec.entryPoints.includes('zero-code') ? '' : ', serve only';
    expect(folded).toContain(`default ${formatValue(spec.type, defaultOf(spec))}${serveOnly})`);
  });

  it('says what zero-code mode does with the options marked serve only', () => {
    expect(folded).toContain('it ignores such a variable, with a warning, and refuses such a file key');
  });

  it('documents the exit codes', () => {
    expect(help.replace(/\s+/g, ' ')).toContain('2 on a configuration error');
  });
});

describe('docs/configuration.md', () => {
  it('is current with the option table (regenerate: npm run generate:config-doc)', () => {
    const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigurationDoc());
  });

  it('shows an example file that resolves', () => {
    const result = resolveOptions({
      argv: ['--config', '/etc/kafka-error-exporter/config.yaml'],
      env: {},
      readFile: () => EXAMPLE_CONFIG,
    });
    expect(result).toMatchObject({
      kind: 'options',
      options: {
        categoryOverrides: { '27': 'fatal', '3': 'non_retriable' },
        topicLabel: true,
        otlpInterval: 30_000,
      },
    });
  });
});
