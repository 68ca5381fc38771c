// Prometheus' configuration of deploy/compose.yaml, rule files included, passes the real promtool (a child
// process: system project).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostPathOf, prometheus, prometheusConfig } from './compose-file.js';

describe('the prometheus service', () => {
  const config = prometheusConfig();

  it('passes promtool check config, rule files included', () => {
    // promtool reads the container paths: rewrite them to the host files the mounts provide.
    const dir = mkdtempSync(join(tmpdir(), 'kee-compose-'));
    try {
      const rewritten = {
        ...config,
        rule_files: config.rule_files.map((pattern) =>
          join(hostPathOf(prometheus!, dirname(pattern))!, posix.basename(pattern)),
        ),
      };
      writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(rewritten));
      const result = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], {
        encoding: 'utf8',
      });
      expect(result.error).toBeUndefined();
      expect(`${result.stdout}${result.stderr}`).toMatch(/SUCCESS: [1-9]\d* rules found/);
      expect(result.status, result.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
