// The demo's Prometheus configuration is valid for the real promtool, with the bundled rules it loads.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bundledRuleFile, demoPrometheusConfig, startDemoPrometheus } from '../../demo/demo-prometheus.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the demo Prometheus', () => {
  it('scrapes the exporter every 2 s and loads the rules of deploy/prometheus', () => {
    const config = parse(demoPrometheusConfig('127.0.0.1:9464', bundledRuleFile())) as {
      global: Record<string, string>;
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.global).toEqual({ scrape_interval: '2s', evaluation_interval: '2s' });
    expect(config.rule_files).toEqual([bundledRuleFile()]);
    expect(existsSync(bundledRuleFile())).toBe(true);
    expect(config.scrape_configs).toEqual([
      { job_name: 'kafka-error-exporter', static_configs: [{ targets: ['127.0.0.1:9464'] }] },
    ]);
  });

  it('passes promtool check config, rules included', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'demo-prometheus-test-'));
    dirs.push(dir);
    const file = path.join(dir, 'prometheus.yml');
    writeFileSync(file, demoPrometheusConfig('127.0.0.1:9464', bundledRuleFile()));
    const output = execFileSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('names the package to install when the binary is missing', async () => {
    await expect(startDemoPrometheus('127.0.0.1:9464', '/nonexistent/prometheus')).rejects.toThrow(
      /apt-get install prometheus/,
    );
  });
});
