// The shipped and a customised rule file pass the real promtool (a child process: system project).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderRuleFile, RULE_FILES } from '../../scripts/monitoring/rule-files.js';
import { resolveRuleOptions } from '../../scripts/monitoring/rule-options.js';
import { buildRuleGroups } from '../../scripts/monitoring/rules.js';
import { promtool } from '../e2e/support/promtool.js';
import { CUSTOM_RULE_OPTIONS } from './custom-rule-options.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the shipped Prometheus rules', () => {
  it('pass promtool check rules', async () => {
    const result = await promtool(['check', 'rules', RULE_FILES.rules], ROOT);
    expect(result.ok, result.output).toBe(true);
    const groups = (
      parse(readFileSync(join(ROOT, RULE_FILES.rules), 'utf8')) as { groups: { rules: unknown[] }[] }
    ).groups;
    expect(result.output).toContain(`SUCCESS: ${groups.flatMap((g) => g.rules).length} rules found`);
  });

  it('pass their promtool unit tests', async () => {
    const result = await promtool(['test', 'rules', RULE_FILES.tests], ROOT);
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toContain('SUCCESS');
  });
});

describe('rules with custom options', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('pass promtool check rules with a selector, extra grouping labels, windows and a runbook base', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rules-'));
    dirs.push(dir);
    const file = join(dir, 'custom.rules.yml');
    await writeFile(file, await renderRuleFile(buildRuleGroups(resolveRuleOptions(CUSTOM_RULE_OPTIONS))));
    const result = await promtool(['check', 'rules', file]);
    expect(result.ok, result.output).toBe(true);
  });
});
